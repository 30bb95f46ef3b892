//! Core types shared by every Aura crate: identifiers, the message and event
//! model, and the error type.

mod error;
mod ids;
mod message;

pub use error::CoreError;
pub use ids::{AgentId, MessageId, Round};
pub use message::{Body, Event, Message, Recipient};

/// The protocol version carried in every encoded message.
pub const PROTOCOL_VERSION: u16 = 1;
