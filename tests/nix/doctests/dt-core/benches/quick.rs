// A bench with test = true: `cargo test` builds and runs it as a test.
#[test]
fn bench_as_test() {
    assert_eq!(dt_core::add(3, 4), 7);
}
