//! The floor for reading one large JSON file: read it whole and parse it
//! into a `serde_json::Value`, nothing else. `bench/exports.sh` times
//! trustlint against it.
//!
//!     cargo run --release --example parse_floor -- FILE...

// The allocator trustlint uses, so that the floor differs from it only in
// the work done.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut status = 0;
    for path in std::env::args().skip(1) {
        let parsed = std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).map_err(|e| e.to_string()));
        match parsed {
            // Something of the tree is used, so that none of it is optimised away.
            Ok(v) => println!("{path}: {} top-level members", v.as_object().map_or(0, serde_json::Map::len)),
            Err(e) => {
                eprintln!("{path}: {e}");
                status = 1;
            }
        }
    }
    std::process::exit(status);
}
