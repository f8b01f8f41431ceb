//! `oathdesk-sim token …` runs a virtual token; `oathdesk-sim graph …` runs
//! the Graph sandbox. Each subcommand owns its own argument parser. Both run
//! until SIGINT or SIGTERM (then exit 0 after taking the card off or stopping
//! the server), whatever stdin does, so they can be started with `&`.

fn main() {
    let mut args: Vec<String> = std::env::args().collect();
    let sub = if args.len() > 1 {
        args.remove(1)
    } else {
        String::new()
    };
    let code = match sub.as_str() {
        #[cfg(unix)]
        "token" => oathdesk_sim::token::cli::run(args),
        #[cfg(not(unix))]
        "token" => {
            eprintln!("oathdesk-sim token runs on unix only: its control channel is a unix socket");
            2
        }
        "graph" => oathdesk_sim::graph::cli::run(args),
        _ => {
            eprintln!("usage: oathdesk-sim token --help | oathdesk-sim graph --help");
            2
        }
    };
    std::process::exit(code);
}
