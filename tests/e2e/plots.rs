//! Plots through the real nu: PNG and SVG files of every kind, loss curves from a piped
//! history, confusion matrices, and text drawn on a machine with no fonts.

use nutorch_e2e::Nu;
use std::path::Path;
use std::process::Command;

/// Checks a PNG: signature, chunk layout, IHDR size, IDAT data, IEND.
fn check_png(path: &Path, width: u32, height: u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(bytes.len() > 5_000, "{}: only {} bytes", path.display(), bytes.len());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}: not a PNG", path.display());
    let mut at = 8;
    let mut chunks = Vec::new();
    while at + 12 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let kind = String::from_utf8_lossy(&bytes[at + 4..at + 8]).into_owned();
        if kind == "IHDR" {
            let body = &bytes[at + 8..at + 16];
            let w = u32::from_be_bytes(body[0..4].try_into().unwrap());
            let h = u32::from_be_bytes(body[4..8].try_into().unwrap());
            assert_eq!((w, h), (width, height), "{}", path.display());
        }
        chunks.push(kind);
        at += 12 + len;
    }
    assert_eq!(at, bytes.len(), "{}: trailing bytes", path.display());
    assert_eq!(chunks.first().map(String::as_str), Some("IHDR"));
    assert!(chunks.iter().any(|c| c == "IDAT"));
    assert_eq!(chunks.last().map(String::as_str), Some("IEND"));
}

/// Checks an SVG: well-formed XML (Python's parser) with an <svg> root of the size asked,
/// holding text.
fn check_svg(path: &Path, width: u32, height: u32) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(text.contains("<svg"), "{}: no <svg", path.display());
    assert!(text.contains("<text"), "{}: no text", path.display());
    let python = std::env::var("NUTORCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(python)
        .args([
            "-c",
            "import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); print(r.tag, r.get('width'), r.get('height'))",
        ])
        .arg(path)
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}: not XML: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout.trim(), format!("{{http://www.w3.org/2000/svg}}svg {width} {height}"), "{}", path.display());
}

const SETUP: &str = "cd $env.WORK; let data = (nutorch blobs --n 120 --seed 42); \
     let model = (nutorch nn sequential [(nutorch nn linear 2 16) (nutorch nn relu) (nutorch nn linear 16 3)] --seed 0); \
     let opt = (nutorch optim adam $model --lr 0.05); \
     let hist = (nutorch nn fit $model $opt $data.X $data.y --epochs 12 --val-x $data.X --val-y $data.y --quiet); \
     let pred = (nutorch nn predict $model $data.X); ";

#[test]
fn every_plot_kind_is_written_as_png_and_svg() {
    let nu = Nu::new();
    let script = format!(
        "{SETUP} \
         $hist | nutorch plot loss loss.png; \
         $hist | nutorch plot loss loss.svg --log-y --width 640 --height 480; \
         nutorch plot loss $hist cols.png --columns [val_accuracy]; \
         nutorch plot scatter $data.X $data.y scatter.svg; \
         nutorch plot boundary $model $data.X $data.y boundary.svg --resolution 40; \
         nutorch plot confusion $pred $data.y confusion.png; \
         nutorch plot confusion $pred $data.y confusion.svg --normalize --classes 4 --title 'Blobs'; \
         [(try {{ $hist | nutorch plot loss loss.pdf }} catch {{|e| $e.rendered }}), \
          (try {{ $hist | nutorch plot loss x.png --columns [nope] }} catch {{|e| $e.rendered }}), \
          (try {{ nutorch plot confusion $pred (nutorch fromvalue [0 1]) c.png }} catch {{|e| $e.rendered }}), \
          (try {{ nutorch plot confusion $pred $data.y c.png --classes 2 }} catch {{|e| $e.rendered }})] | to json -r"
    );
    let out = nu.command(&script).env("WORK", nu.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let errors: Vec<String> = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert!(errors[0].contains(".png or .svg"), "{errors:?}");
    assert!(errors[1].contains("no column `nope`"), "{errors:?}");
    assert!(errors[2].contains("one target per prediction"), "{errors:?}");
    assert!(errors[3].contains("out of range for --classes 2"), "{errors:?}");
    let dir = nu.path();
    check_png(&dir.join("loss.png"), 900, 650);
    check_svg(&dir.join("loss.svg"), 640, 480);
    check_png(&dir.join("cols.png"), 900, 650);
    check_svg(&dir.join("scatter.svg"), 900, 650);
    check_svg(&dir.join("boundary.svg"), 900, 650);
    check_png(&dir.join("confusion.png"), 900, 650);
    check_svg(&dir.join("confusion.svg"), 900, 650);
    // Two curves with a legend: both names are in the SVG's text.
    let lines = |file: &str| -> Vec<String> {
        std::fs::read_to_string(dir.join(file)).unwrap().lines().map(|l| l.trim().to_string()).collect()
    };
    let svg = lines("loss.svg");
    let has = |lines: &[String], text: &str| lines.iter().any(|l| l == text);
    assert!(has(&svg, "loss") && has(&svg, "val_loss"), "legend of loss.svg");
    assert!(!has(&svg, "val_accuracy") && !has(&svg, "lr"), "only the loss columns by default");
    let confusion = lines("confusion.svg");
    assert!(has(&confusion, "Predicted label") && has(&confusion, "True label") && has(&confusion, "Blobs"));
}

#[test]
fn plots_draw_text_with_no_fonts_installed() {
    let nu = Nu::new();
    let script = format!(
        "{SETUP} $hist | nutorch plot loss loss.png; nutorch plot confusion $pred $data.y confusion.png; \
         nutorch plot boundary $model $data.X $data.y boundary.png --resolution 30; 'drawn'"
    );
    let cmd = nu.command(&script);
    // A mount namespace with empty tmpfs over every font directory (fontconfig's too).
    let hide = r#"set -e
for d in /usr/share/fonts /usr/local/share/fonts /etc/fonts "$HOME/.fonts" "$HOME/.local/share/fonts"; do
  if [ -d "$d" ]; then mount -t tmpfs none "$d"; fi
done
if [ -n "$(ls -A /usr/share/fonts 2>/dev/null)" ]; then echo "fonts still visible" >&2; exit 99; fi
if command -v fc-match >/dev/null && [ -n "$(fc-match -f '%{file}' sans-serif 2>/dev/null)" ] \
   && [ -f "$(fc-match -f '%{file}' sans-serif)" ]; then echo "fc-match still finds a font" >&2; exit 99; fi
exec "$@""#;
    let root = Command::new("id").arg("-u").output().map(|o| o.stdout == b"0\n").unwrap_or(false);
    let mut hidden = Command::new("unshare");
    hidden.arg("--mount");
    if !root {
        hidden.arg("--map-root-user");
    }
    hidden.args(["sh", "-c", hide, "sh"]).arg(cmd.get_program()).args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => hidden.env(key, v),
            None => hidden.env_remove(key),
        };
    }
    let out = hidden.env_remove("NUTORCH_FONT").env("WORK", nu.path()).output().expect("run unshare");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("drawn"));
    check_png(&nu.path().join("loss.png"), 900, 650);
    check_png(&nu.path().join("confusion.png"), 900, 650);
    check_png(&nu.path().join("boundary.png"), 900, 650);
}
