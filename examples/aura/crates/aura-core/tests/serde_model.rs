//! The message model as other crates see it: JSON shape and round trips.

use aura_core::{AgentId, Body, Event, Message, MessageId, Recipient, Round};

#[test]
fn message_json_shape_is_stable() {
    let m = Message::new(
        AgentId(1),
        7,
        Recipient::One(AgentId(0)),
        Round(3),
        Body::Vote {
            proposal: MessageId::new(AgentId(0), 2),
            accept: true,
        },
    )
    .unwrap();
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(
        json,
        r#"{"id":4294967303,"from":1,"to":{"one":0},"round":3,"body":{"kind":"vote","proposal":2,"accept":true}}"#
    );
    assert_eq!(serde_json::from_str::<Message>(&json).unwrap(), m);
}

#[test]
fn every_body_round_trips() {
    let bodies = [
        Body::Hello {
            name: "aura".into(),
        },
        Body::Propose { value: 42 },
        Body::Vote {
            proposal: MessageId(9),
            accept: false,
        },
        Body::Commit { value: 42 },
        Body::Abort {
            reason: "no quorum".into(),
        },
        Body::Ping { nonce: u64::MAX },
        Body::Pong { nonce: 0 },
    ];
    for (seq, body) in bodies.into_iter().enumerate() {
        let m = Message::new(AgentId(2), seq as u32, Recipient::All, Round(1), body).unwrap();
        let back: Message = serde_json::from_value(serde_json::to_value(&m).unwrap()).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.signing_bytes(), m.signing_bytes());
    }
}

#[test]
fn events_are_tagged() {
    let e = Event::Committed {
        round: Round(4),
        value: 10,
    };
    assert_eq!(
        serde_json::to_string(&e).unwrap(),
        r#"{"event":"committed","round":4,"value":10}"#
    );
    let bad = serde_json::from_str::<Event>(r#"{"event":"exploded"}"#);
    assert!(bad.is_err());
}
