fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    for e in dossier::entities::default_extractor().extract(&text) {
        println!("{:10} {}", e.kind.label(), &text[e.span]);
    }
}
