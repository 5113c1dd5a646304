//! Real peers from PyPI (icalendar, pymarc, a SIP2 client) run as independent implementations
//! against bunko's output. Each gets a virtual environment under Cargo's test temp directory,
//! made once and shared by every test.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The Python interpreter of a virtual environment with `packages` installed, or `None` (and a
/// message on stderr) when this machine has no `python3`. A failed install is a test failure.
pub fn python_with(packages: &[&str]) -> Option<PathBuf> {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("SKIPPED: python3 is not installed, so the PyPI peer ({}) cannot run", packages.join(", "));
        return None;
    }
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("py-peers");
    std::fs::create_dir_all(&root).expect("peer directory");
    let venv = root.join(packages.join("+").replace(['=', '<', '>', ' ', '*'], "_"));
    let python = venv.join("bin").join("python");
    if !venv.exists() {
        // Built aside and renamed into place: tests racing here each build one, one wins.
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let building = root.join(format!(".building-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&building);
        run(Command::new("python3").args(["-m", "venv"]).arg(&building));
        run(Command::new(building.join("bin").join("python"))
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
            .args(packages));
        if std::fs::rename(&building, &venv).is_err() {
            let _ = std::fs::remove_dir_all(&building);
        }
    }
    Some(python)
}

/// Runs a peer script from `tests/peers/` with `args`; its standard output, or a panic with
/// its standard error.
pub fn run_peer(python: &Path, script: &str, args: &[&str]) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("peers").join(script);
    let out = Command::new(python).arg(path).args(args).output().expect("run the peer");
    assert!(out.status.success(), "{script} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("start");
    assert!(out.status.success(), "{cmd:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
}
