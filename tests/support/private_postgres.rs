//! A PostgreSQL server of one test's own, in a temporary directory, that the test may stop and
//! start again: a real restart, which the shared server cannot undergo while other tests use it;
//! and a streaming replica of it.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::Command,
};

pub struct PrivatePostgres {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    /// As root, the server's commands run as the `postgres` user (PostgreSQL refuses root).
    as_postgres: bool,
}

impl PrivatePostgres {
    /// Creates and starts a cluster; `None` when this machine has no PostgreSQL server binaries.
    pub async fn start() -> Option<Self> {
        let bin = server_binaries()?;
        let as_postgres = run_plain("id", &["-u"]).is_some_and(|uid| uid.trim() == "0");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let data = std::env::temp_dir().join(format!("iin-pg-{}", uuid::Uuid::new_v4().simple()));
        let server = Self {
            bin,
            data,
            port,
            as_postgres,
        };
        let data = server.data.display().to_string();
        server
            .pg(
                "initdb",
                &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync"],
            )
            .await;
        server.start_again().await;
        Some(server)
    }

    /// A streaming replica of this server, made with `pg_basebackup -R` and started: a standby
    /// that replays what this one writes.
    pub async fn replica(&self) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let data = std::env::temp_dir().join(format!("iin-pg-{}", uuid::Uuid::new_v4().simple()));
        let replica = Self {
            bin: self.bin.clone(),
            data,
            port,
            as_postgres: self.as_postgres,
        };
        let data = replica.data.display().to_string();
        let primary_port = self.port.to_string();
        replica
            .pg(
                "pg_basebackup",
                &[
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &primary_port,
                    "-U",
                    "postgres",
                    "-D",
                    &data,
                    "-R",
                    "-X",
                    "stream",
                    "--no-sync",
                ],
            )
            .await;
        replica.start_again().await;
        replica
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// A fast shutdown, as a restart begins: sessions are ended and connections refused.
    pub async fn stop(&self) {
        let data = self.data.display().to_string();
        self.pg("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"])
            .await;
    }

    pub async fn start_again(&self) {
        let data = self.data.display().to_string();
        let log = self.data.join("server.log").display().to_string();
        let options = format!(
            "-p {} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port
        );
        self.pg(
            "pg_ctl",
            &["-D", &data, "-l", &log, "-o", &options, "-w", "start"],
        )
        .await;
    }

    /// Runs one of the server's programs to completion, off the test's runtime thread.
    async fn pg(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        };
        command.args(args);
        let described = format!("{command:?}");
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .expect("the command's thread")
            .unwrap_or_else(|e| panic!("cannot run {described}: {e}"));
        assert!(
            output.status.success(),
            "{described} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let data = self.data.display().to_string();
        let pg_ctl = self.bin.join("pg_ctl").display().to_string();
        let args = ["-D", data.as_str(), "-m", "immediate", "stop"];
        let _ = if self.as_postgres {
            Command::new("runuser")
                .args(["-u", "postgres", "--", &pg_ctl])
                .args(args)
                .output()
        } else {
            Command::new(&pg_ctl).args(args).output()
        };
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

/// The directory holding `initdb` and `pg_ctl`: `pg_config --bindir`, or Debian's layout.
fn server_binaries() -> Option<PathBuf> {
    let has_server = |dir: &Path| dir.join("initdb").exists() && dir.join("pg_ctl").exists();
    if let Some(dir) = run_plain("pg_config", &["--bindir"]).map(|d| PathBuf::from(d.trim()))
        && has_server(&dir)
    {
        return Some(dir);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| Some(entry.ok()?.path().join("bin")))
        .filter(|dir| has_server(dir))
        .collect();
    versions.sort();
    versions.pop()
}

fn run_plain(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}
