#[test]
fn std_feature_is_on() {
    assert!(cfg!(feature = "std"));
}
