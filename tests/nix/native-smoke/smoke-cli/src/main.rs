fn main() {
    println!(
        "smoke: sys={} mid={} c={} greeting={} built-by={}",
        smoke_sys::add(20, 22),
        smoke_mid::mid(),
        smoke_sys::HAS_C,
        smoke_macro::greeting!(),
        smoke_sys::BUILT_BY,
    );
}
