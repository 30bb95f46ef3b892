// Built by `cargo test` (not run).
fn main() {
    println!("{}", dt_core::add(1, 2));
}
