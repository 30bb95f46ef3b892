fn main() {
    let answer = std::env::var("DEP_NATIVESUM_ANSWER")
        .expect("DEP_NATIVESUM_ANSWER comes from native-sum's `links` metadata");
    println!("cargo::rustc-env=ANSWER_FROM_BUILD_SCRIPT={answer}");
}
