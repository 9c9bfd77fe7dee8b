//! The `wasmproof` command line; see `wasmproof --help` and `wasmproof::cli`.

fn main() {
    // A bug must not show users a Rust backtrace: one line, then status 101.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("error: internal error in wasmproof (please report): {msg}{at}");
    }));
    let status = wasmproof::cli::main_with_args(std::env::args_os());
    std::process::exit(status);
}
