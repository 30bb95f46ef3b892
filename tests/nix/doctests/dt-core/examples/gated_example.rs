compile_error!("the gated example must not be built without the extra feature");
fn main() {}
