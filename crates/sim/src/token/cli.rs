/// Runs the subcommand with `args` (program name first); returns the exit code.
pub fn run(_args: Vec<String>) -> i32 {
    eprintln!("not implemented yet");
    2
}
