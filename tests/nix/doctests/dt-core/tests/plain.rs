// harness = false: a plain main, no libtest.
fn main() {
    assert_eq!(dt_core::add(1, 2), 3);
    println!("plain harness-less test ran");
}
