//! Core types shared by every Aura crate: identifiers, the message and event
//! model, and the error type.

mod error;
mod ids;
mod message;

pub use error::CoreError;
pub use ids::{AgentId, MessageId, Round};
pub use message::{Body, Event, Message, Recipient};

/// The protocol version carried in every encoded message.
///
/// Identifiers print and parse as `a<number>` (the JSON form is the number,
/// checked with the dev-dependency serde_json):
///
/// ```
/// # use aura_core::AgentId;
/// let a: AgentId = "a7".parse().unwrap();
/// assert_eq!(a.to_string(), "a7");
/// assert_eq!(serde_json::to_string(&a).unwrap(), "7");
/// ```
///
/// A bare number is not an agent:
///
/// ```should_panic
/// let _: aura_core::AgentId = "7".parse().unwrap();
/// ```
pub const PROTOCOL_VERSION: u16 = 1;
