/// Errors from parsing and validating core values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoreError {
    #[error("invalid agent id {0:?}: expected \"a<number>\", like \"a3\"")]
    InvalidAgentId(String),
    #[error("agent {agent} is not among the {count} agents")]
    UnknownAgent { agent: crate::AgentId, count: u32 },
    #[error("a message from {0} to itself")]
    SelfAddressed(crate::AgentId),
    #[error("empty name")]
    EmptyName,
}
