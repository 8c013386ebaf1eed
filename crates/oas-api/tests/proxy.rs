//! Proxies: a remote https server is reached through the system proxy (here the environment's
//! HTTPS_PROXY); a server on this computer never is, so the sandbox's password, key and tokens
//! do not travel in plain text to a proxy. A real listener plays the proxy.
//!
//! One test in its own binary: it sets process-wide environment variables.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use oas_api::{ApiKey, Client, Error, Password, ServerUrl};
use oas_sandbox::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A proxy that writes down each request's first line and refuses it.
async fn refusing_proxy() -> (String, Arc<Mutex<Vec<String>>>, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let task = tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 1024];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
                match sock.read(&mut chunk).await {
                    Ok(n) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                    _ => break,
                }
            }
            let head = String::from_utf8_lossy(&buf).to_string();
            seen2.lock().unwrap().push(head.lines().next().unwrap_or("").to_string());
            let _ = sock.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await;
            let _ = sock.shutdown().await;
        }
    });
    (url, seen, task)
}

#[tokio::test]
async fn remote_servers_go_through_the_proxy_and_this_computer_never_does() {
    let (proxy, seen, task) = refusing_proxy().await;
    for var in ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        std::env::set_var(var, &proxy);
    }
    for var in ["NO_PROXY", "no_proxy", "REQUEST_METHOD"] {
        std::env::remove_var(var);
    }

    // A remote https server: the connection is asked of the proxy (which refuses it).
    let remote = Client::with_options(ServerUrl::parse("https://oas.example.com").unwrap(), ApiKey::new("key.remote"), test_options()).unwrap();
    let err = remote.login("ana", "", &Password::new("pw")).await.unwrap_err();
    assert!(matches!(err, Error::Unreachable | Error::Unexpected(_)), "{err:?}");
    assert_eq!(*seen.lock().unwrap(), vec!["CONNECT oas.example.com:443 HTTP/1.1".to_string()]);

    // The sandbox on this computer, by address and by name: straight there, whatever the
    // environment says; the proxy hears nothing more.
    let env = env(Config::default()).await;
    env.sandbox.seed_orgs(USER, 3).unwrap();
    let by_name = env.sandbox.base_url().replace("127.0.0.1", "localhost");
    for base in [env.sandbox.base_url(), by_name] {
        let client = Client::with_options(ServerUrl::parse(&base).unwrap(), ApiKey::new(env.key.clone()), test_options()).unwrap();
        let (session, _) = client.login(USER, EMAIL, &Password::new(PASSWORD)).await.unwrap();
        assert_eq!(session.list_all_organisations().await.unwrap().len(), 3);
        session.logout().await.unwrap();
    }
    assert_eq!(seen.lock().unwrap().len(), 1, "the proxy saw a request for this computer: {:?}", seen.lock().unwrap());
    task.abort();
    env.sandbox.shutdown().await;
}
