fn main() {
    println!("dt-tool: {}", dt_core::add(2, 2));
}

#[cfg(test)]
mod tests {
    #[test]
    fn bin_unit_test() {
        assert_eq!(dt_core::add(2, 2), 4);
    }
}
