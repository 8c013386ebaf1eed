//! Preview of a 10,000-row file against an account of 10,000 organisations (half of the rows
//! already there): reading the CSV, guessing the columns and classifying every row. Target:
//! under one second. Not a test: it does nothing unless cargo passes `--bench`.
//!
//! ```sh
//! cargo bench -p oas-import --bench preview             # 15 rounds, prints the median
//! ```

use std::collections::HashSet;
use std::time::{Duration, Instant};

use oas_import::{guess, preview, read_csv, PreviewOptions};

const ROWS: usize = 10_000;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("preview: a benchmark, not a test; run it with `cargo bench -p oas-import --bench preview`");
        return;
    }
    let mut csv = String::from("\u{feff}Nombre;Moneda base;Monedas;Imagen;Contacto;Correo electrónico\r\n");
    for i in 0..ROWS {
        let code = ["USD", "EUR", "MXN", "GBP"][i % 4];
        csv.push_str(&format!("\"Organización Número {i}, S.A.\";{code};{code} USD EUR;https://example.com/{i}.png;Ana {i};ana{i}@example.com\r\n"));
    }
    let existing: Vec<oas_api::Organisation> = (0..ROWS)
        .map(|i| {
            let name = if i % 2 == 0 { format!("ORGANIZACION NUMERO {i}, S.A.") } else { format!("Another {i}") };
            serde_json::from_value(serde_json::json!({"id": i + 1, "name": name, "base_currency": "USD", "currencies": ["USD"]})).unwrap()
        })
        .collect();
    let known: HashSet<String> = ["USD", "EUR", "MXN", "GBP"].map(String::from).into();

    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..15 {
        let start = Instant::now();
        let table = read_csv(csv.as_bytes()).unwrap();
        let options = PreviewOptions { mapping: guess(&table.headers), add_missing_base: false };
        let p = preview(&table, &options, &existing, &known);
        times.push(start.elapsed());
        assert_eq!((p.new + p.existing) as usize, ROWS);
        assert_eq!(p.existing as usize, ROWS / 2);
    }
    times.sort();
    let median = times[times.len() / 2];
    println!("{{\"rows\":{ROWS},\"existing\":{ROWS},\"preview_median_ms\":{:.1},\"min_ms\":{:.1},\"max_ms\":{:.1}}}", ms(median), ms(times[0]), ms(times[times.len() - 1]));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
