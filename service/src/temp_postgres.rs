//! A throwaway PostgreSQL server for tests and benchmarks: `initdb` in a
//! temporary directory, `pg_ctl start` on a free loopback port, stopped
//! and deleted on drop. It uses the Debian server packages' binaries
//! (`/usr/lib/postgresql/<version>/bin`, or `$VEIL_PG_BIN`) and runs them as
//! the `postgres` user when the tests run as root (PostgreSQL refuses
//! root). `scripts/setup test` installs the packages; `.ci/run` sets
//! `VEIL_REQUIRE_POSTGRES=1`, so a missing server fails the tests there
//! instead of skipping them.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A running throwaway server.
pub struct TempPostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

/// Whether tests must have PostgreSQL (`VEIL_REQUIRE_POSTGRES=1`).
pub fn required() -> bool {
    std::env::var("VEIL_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

/// The directory holding `initdb` and `pg_ctl`, if installed.
pub fn bin_dir() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("VEIL_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl TempPostgres {
    /// Starts a server, or `None` (after saying why) when PostgreSQL is
    /// not installed and not [`required`].
    pub fn start() -> Option<Self> {
        let Some(bin) = bin_dir() else {
            assert!(
                !required(),
                "VEIL_REQUIRE_POSTGRES=1 but no PostgreSQL server is installed \
                 (scripts/setup test installs Debian's postgresql)"
            );
            eprintln!("skipping: no PostgreSQL server (scripts/setup test installs it)");
            return None;
        };
        let dir = tempfile::Builder::new()
            .prefix("veil-pg-")
            .tempdir()
            .expect("a temporary directory");
        let as_postgres = is_root();
        if as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(status.success(), "chown the data directory to postgres");
        }
        let server = TempPostgres {
            dir,
            bin,
            port: free_port(),
            as_postgres,
        };
        server.run(
            "initdb",
            [
                "-D",
                &server.data().to_string_lossy(),
                "-U",
                "veil",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        server.start_again();
        Some(server)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A server-side tool (`pg_ctl`, `createdb`), run as the `postgres`
    /// user when the tests run as root (PostgreSQL refuses root).
    fn server_tool(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    /// How a client tool reaches the server: loopback, its port, user `veil`.
    fn client_args(&self) -> [String; 6] {
        [
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            "veil",
        ]
        .map(str::to_owned)
    }

    fn run<S: AsRef<OsStr>>(&self, tool: &str, args: impl IntoIterator<Item = S>) {
        let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().into()).collect();
        let out = self
            .server_tool(tool)
            .args(&args)
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|e| panic!("running {tool}: {e}"));
        assert!(
            out.status.success(),
            "{tool} {args:?} failed:\n{}{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
        );
    }

    /// Starts the server (again, after [`TempPostgres::stop`]) on the same
    /// port and data; returns once it accepts connections.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200",
            self.port,
            self.dir.path().display()
        );
        self.run(
            "pg_ctl",
            [
                "-D",
                &self.data().to_string_lossy(),
                "-l",
                &self.dir.path().join("server.log").to_string_lossy(),
                "-w",
                "-t",
                "60",
                "-o",
                &options,
                "start",
            ],
        );
    }

    /// Stops the server (fast shutdown: connections are cut, committed
    /// data stays).
    pub fn stop(&self) {
        self.run(
            "pg_ctl",
            [
                "-D",
                &self.data().to_string_lossy(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
    }

    /// The server's URL for database `database`.
    pub fn url_for(&self, database: &str) -> String {
        format!("postgres://veil@127.0.0.1:{}/{database}", self.port)
    }

    /// The server's URL (database `postgres`).
    pub fn url(&self) -> String {
        self.url_for("postgres")
    }

    /// Creates database `name` (a fresh schema for one test).
    pub fn create_database(&self, name: &str) {
        let client = self.client_args();
        self.run("createdb", client.iter().map(String::as_str).chain([name]));
    }

    /// Runs `sql` with psql on database `postgres`; its unaligned,
    /// tuples-only output (one row a line, columns split by `|`).
    pub fn query(&self, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args(self.client_args())
            .args([
                "-d",
                "postgres",
                "-X",
                "-t",
                "-A",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ])
            .output()
            .expect("run psql");
        assert!(
            out.status.success(),
            "psql {sql:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Turns TLS on with this certificate chain and key (PEM) and restarts
    /// the server. Plaintext stays allowed, so a test can see which one a
    /// client chose (`pg_stat_ssl`).
    pub fn enable_tls(&self, cert_pem: &str, key_pem: &str) {
        use std::io::Write;
        use std::os::unix::fs::PermissionsExt;
        let data = self.data();
        let (cert, key) = (data.join("server.crt"), data.join("server.key"));
        std::fs::write(&cert, cert_pem).expect("write the certificate");
        std::fs::write(&key, key_pem).expect("write the key");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        if self.as_postgres {
            let status = Command::new("chown")
                .arg("postgres:postgres")
                .args([&cert, &key])
                .status()
                .expect("chown");
            assert!(status.success(), "chown the TLS files to postgres");
        }
        let mut conf = std::fs::OpenOptions::new()
            .append(true)
            .open(data.join("postgresql.conf"))
            .expect("postgresql.conf");
        conf.write_all(b"ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n")
            .expect("append to postgresql.conf");
        self.stop();
        self.start_again();
    }

    /// The server's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The data directory's parent, for logs.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let data = self.data();
        let data = data.to_string_lossy();
        let _ = self
            .server_tool("pg_ctl")
            .args(["-D", data.as_ref(), "-m", "immediate", "-w", "stop"])
            .output();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
