//! `mdm-producer`: see the library's documentation and `mdm-producer --help`.

use std::process::ExitCode;

use clap::Parser as _;
use mdm_producer::failure::{EXIT_REQUEST, EXIT_SERVER};
use mdm_producer::{Cli, run};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            // clap would exit with 2, which here means "the server failed,
            // retry later"; a wrong command line is the caller's to fix.
            return if error.use_stderr() {
                ExitCode::from(EXIT_REQUEST)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    // One request at a time: a single-threaded runtime is all it takes.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_SERVER);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{}", failure.report());
            ExitCode::from(failure.exit_code())
        }
    }
}
