// required-features = ["extra"], off by default: never built.
compile_error!("the gated test must not be built without the extra feature");
