// test = true: built with --test and run as a test binary.
fn main() {}

#[test]
fn example_test() {
    assert_eq!(dt_helper::twice(2), 4);
}
