//! Aura's web front end: what the browser needs of aura-core, exported as
//! plain WebAssembly functions (no JavaScript glue). Built with
//! `[profile.wasm]` for `wasm32-unknown-unknown` by the flake's
//! `aura-web-wasm` package.
use aura_core::{AgentId, Round};

/// The leader of `round` among `agents` agents (round-robin, as the
/// protocol elects it).
#[no_mangle]
pub extern "C" fn aura_leader(round: u32, agents: u32) -> u32 {
    Round(u64::from(round)).leader(agents).0
}

/// 1 when an agent id serialises as aura-core's wire format (a bare
/// number) and reads back unchanged, else 0.
#[no_mangle]
pub extern "C" fn aura_wire_roundtrip(agent: u32) -> u32 {
    let text = serde_json::to_string(&AgentId(agent)).unwrap_or_default();
    let back: Option<AgentId> = serde_json::from_str(&text).ok();
    u32::from(text == agent.to_string() && back == Some(AgentId(agent)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leader_is_round_robin() {
        assert_eq!(aura_leader(7, 3), 1);
        assert_eq!(aura_leader(0, 0), 0);
    }

    #[test]
    fn wire_roundtrip() {
        assert_eq!(aura_wire_roundtrip(42), 1);
    }
}
