//! One OAS Desktop per Linux desktop session. The first launch owns a name on the D-Bus session
//! bus; a second launch asks the owner to show its window, then exits. The name, object path,
//! interface and method are tauri-plugin-single-instance's (which macOS and Windows still use), so
//! a running older version and a newer launch still find each other. It talks to the bus through
//! libdbus, which tao and the keychain already load, instead of the plugin's zbus: a second D-Bus
//! implementation with its own async runtime, ~0.5 MiB of the package.
//!
//! No session bus, or a bus that refuses the name: the app launches normally, as the plugin did.

use std::io;
use std::os::fd::BorrowedFd;
use std::os::unix::net::UnixStream;
use std::thread::JoinHandle;
use std::time::Duration;

use dbus::blocking::stdintf::org_freedesktop_dbus::RequestNameReply;
use dbus::blocking::Connection;
use dbus::channel::{BusType, Channel, MatchingReceiver};
use dbus::message::MatchRule;
use rustix::event::{poll, PollFd, PollFlags};
use tauri::plugin::{Builder, TauriPlugin};
use tauri::{AppHandle, Manager, Resource, Runtime};

const INTERFACE: &str = "org.SingleInstance.DBus";
const METHOD: &str = "ExecuteCallback";

/// Why this launch has no single-instance guard. The plugin is set up before the log is (a second
/// launch must hand over before anything else starts), so this is logged once the app is ready.
struct Unguarded(String);

/// The plugin: `on_second_launch` runs in the first instance each time another launch hands over.
pub fn init<R: Runtime>(on_second_launch: fn(&AppHandle<R>)) -> TauriPlugin<R> {
    Builder::new("oas-single-instance")
        .on_event(|app, event| {
            if let (tauri::RunEvent::Ready, Some(unguarded)) = (event, app.try_state::<Unguarded>()) {
                log::warn!("single instance: {}; launched without the guard", unguarded.0);
            }
        })
        .setup(move |app, _api| {
            let name = format!("{}.SingleInstance", app.config().identifier);
            let path = object_path(&name);
            let connection = match session_bus() {
                Ok(connection) => connection,
                Err(error) => {
                    app.manage(Unguarded(format!("no D-Bus session bus ({error})")));
                    return Ok(());
                }
            };
            match connection.request_name(name.as_str(), false, false, true) {
                Ok(RequestNameReply::PrimaryOwner | RequestNameReply::AlreadyOwner) => {
                    let handle = app.clone();
                    let lock = serve(connection, name, &path, move || on_second_launch(&handle))?;
                    // Tauri empties the resource table in `cleanup_before_exit` (exit and restart),
                    // which releases the name before an updated version starts.
                    app.resources_table().add(lock);
                }
                Ok(_) => {
                    hand_over(&connection, &name, &path)?;
                    app.cleanup_before_exit();
                    std::process::exit(0);
                }
                Err(error) => {
                    app.manage(Unguarded(format!("the session bus refused {name} ({error})")));
                }
            }
            Ok(())
        })
        .build()
}

/// `org.oas.desktop.SingleInstance` → `/org/oas/desktop/SingleInstance` (the plugin's rule).
fn object_path(name: &str) -> String {
    format!("/{}", name.replace('.', "/").replace('-', "_"))
}

fn session_bus() -> Result<Connection, dbus::Error> {
    Channel::get_private(BusType::Session).map(watched)
}

/// The serving thread waits on the bus's file descriptor, which libdbus reports only then.
fn watched(mut channel: Channel) -> Connection {
    channel.set_watch_enabled(true);
    Connection::from(channel)
}

/// Tells the running instance about this launch (its arguments and folder, as the plugin sends)
/// and returns once it has answered.
fn hand_over(connection: &Connection, name: &str, path: &str) -> Result<(), dbus::Error> {
    let args: Vec<String> = std::env::args_os().map(|arg| arg.to_string_lossy().into_owned()).collect();
    let cwd = std::env::current_dir().unwrap_or_default().to_string_lossy().into_owned();
    connection.with_proxy(name, path, Duration::from_secs(10)).method_call(INTERFACE, METHOD, (args, cwd))
}

/// The owned name. Dropping it wakes the serving thread, which releases the name, and waits for it.
struct InstanceLock {
    wake: Option<UnixStream>,
    thread: Option<JoinHandle<()>>,
}

impl Resource for InstanceLock {}

impl Drop for InstanceLock {
    fn drop(&mut self) {
        // Closing our end makes the thread's end readable (end of file).
        drop(self.wake.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers other launches on a thread of its own until the lock is dropped or the bus goes away.
fn serve(
    connection: Connection,
    name: String,
    path: &str,
    on_second_launch: impl Fn() + Send + 'static,
) -> io::Result<InstanceLock> {
    let rule = MatchRule::new_method_call().with_path(path.to_string()).with_interface(INTERFACE).with_member(METHOD);
    connection.start_receive(
        rule,
        Box::new(move |call, connection| {
            on_second_launch();
            // The answer goes out now: the loop below waits only for incoming messages.
            let _ = connection.channel().send(call.method_return());
            connection.channel().flush();
            true
        }),
    );
    let (wake, woken) = UnixStream::pair()?;
    let thread = std::thread::Builder::new().name("single-instance".into()).spawn(move || {
        let bus_fd = connection.channel().watch().fd;
        loop {
            // Everything already read first: one read can bring several messages.
            loop {
                match connection.process(Duration::ZERO) {
                    Ok(true) => continue,
                    Ok(false) => break,
                    Err(_) => return,
                }
            }
            // SAFETY: the descriptor belongs to `connection`, which outlives this borrow.
            let bus = unsafe { BorrowedFd::borrow_raw(bus_fd) };
            let mut fds = [PollFd::from_borrowed_fd(bus, PollFlags::IN), PollFd::new(&woken, PollFlags::IN)];
            match poll(&mut fds, None) {
                Ok(_) | Err(rustix::io::Errno::INTR) => {}
                Err(_) => return,
            }
            if !fds[1].revents().is_empty() {
                let _ = connection.release_name(name.as_str());
                return;
            }
            if fds[0].revents().intersects(PollFlags::HUP | PollFlags::ERR) {
                return;
            }
        }
    })?;
    Ok(InstanceLock { wake: Some(wake), thread: Some(thread) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader};
    use std::process::{Child, Command, Stdio};

    /// A D-Bus session bus of the test's own (`dbus-daemon`, which scripts/setup.sh installs).
    struct PrivateBus {
        daemon: Child,
        address: String,
    }

    impl PrivateBus {
        fn start() -> PrivateBus {
            let mut daemon = Command::new("dbus-daemon")
                .args(["--session", "--nofork", "--print-address=1"])
                .stdout(Stdio::piped())
                .spawn()
                .expect("dbus-daemon runs (scripts/setup.sh installs it)");
            let mut address = String::new();
            BufReader::new(daemon.stdout.take().unwrap()).read_line(&mut address).unwrap();
            PrivateBus { daemon, address: address.trim().to_string() }
        }

        fn connect(&self) -> Connection {
            let mut channel = Channel::open_private(&self.address).unwrap();
            channel.register().unwrap();
            watched(channel)
        }
    }

    impl Drop for PrivateBus {
        fn drop(&mut self) {
            let _ = self.daemon.kill();
            let _ = self.daemon.wait();
        }
    }

    #[test]
    fn a_second_launch_hands_over_and_the_name_is_free_once_the_first_exits() {
        let bus = PrivateBus::start();
        let name = "me.ottomate.oas.test.SingleInstance";
        let path = object_path(name);

        let first = bus.connect();
        assert_eq!(first.request_name(name, false, false, true).unwrap(), RequestNameReply::PrimaryOwner);
        let (told, second_launches) = std::sync::mpsc::channel();
        let lock = serve(first, name.to_string(), &path, move || told.send(()).unwrap()).unwrap();

        let second = bus.connect();
        assert_eq!(second.request_name(name, false, false, true).unwrap(), RequestNameReply::Exists);
        hand_over(&second, name, &path).unwrap();
        second_launches.recv_timeout(Duration::from_secs(5)).expect("the running instance heard of the launch");
        hand_over(&second, name, &path).unwrap();
        second_launches.recv_timeout(Duration::from_secs(5)).expect("and of the next one");

        // Exit or restart (Tauri empties the resource table): the name is released before the drop
        // returns, so the updated version, started right after, is the first instance again.
        drop(lock);
        assert_eq!(second.request_name(name, false, false, true).unwrap(), RequestNameReply::PrimaryOwner);
        assert!(hand_over(&bus.connect(), "me.ottomate.oas.test.Nobody", &path).is_err());
    }

    #[test]
    fn the_object_path_follows_the_plugins_rule() {
        assert_eq!(object_path("org.oas.desktop.SingleInstance"), "/org/oas/desktop/SingleInstance");
        assert_eq!(object_path("com.my-app.SingleInstance"), "/com/my_app/SingleInstance");
    }
}
