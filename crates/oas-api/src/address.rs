//! The server address: what people paste, normalised to the API root.

use std::fmt;
use url::{Host, Url};

/// Why a server address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("empty")]
    Empty,
    #[error("not a valid server address")]
    Invalid,
    /// Plain http:// to a server that is not this computer.
    #[error("plain http to another computer")]
    InsecureHttp,
}

impl AddressError {
    /// The IPC error code for this problem.
    pub fn code(&self) -> &'static str {
        match self {
            AddressError::Empty | AddressError::Invalid => "invalid_address",
            AddressError::InsecureHttp => "insecure_address",
        }
    }
}

/// A normalised OAS API root, always ending in `/api/`
/// (for example `https://oas-beta.ottomate.me/api/`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ServerUrl {
    root: Url,
}

impl ServerUrl {
    /// Accepts what people paste: `https://host`, `host` (https is assumed), `https://host/api`,
    /// `https://host/api/`, `https://host/api/docs/`, `https://host/docs/`, with surrounding
    /// spaces. Only https is accepted, except `http://` for this computer (`localhost`,
    /// `*.localhost`, `127.0.0.0/8`, `[::1]`). A bare address of this computer without a scheme
    /// (`127.0.0.1:8765`, `localhost:8765`) means plain http: that is how people write the local
    /// sandbox's address.
    pub fn parse(input: &str) -> Result<ServerUrl, AddressError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(AddressError::Empty);
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(AddressError::Invalid);
        }
        let bare = !s.contains("://");
        let full = match s.find("://") {
            Some(i) => {
                let scheme = &s[..i];
                if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
                    return Err(AddressError::Invalid);
                }
                s.to_string()
            }
            None => format!("https://{}", s.trim_start_matches('/')),
        };
        let mut url = Url::parse(&full).map_err(|_| AddressError::Invalid)?;
        if url.scheme() != "https" && url.scheme() != "http" {
            return Err(AddressError::Invalid);
        }
        match url.host() {
            None => return Err(AddressError::Invalid),
            Some(Host::Domain(d)) if !is_hostname(d) => return Err(AddressError::Invalid),
            _ => {}
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(AddressError::Invalid);
        }
        if bare && is_loopback(&url) {
            url.set_scheme("http").map_err(|_| AddressError::Invalid)?;
        }
        if url.scheme() == "http" && !is_loopback(&url) {
            return Err(AddressError::InsecureHttp);
        }
        let segments: Vec<String> = url
            .path_segments()
            .map(|s| s.filter(|p| !p.is_empty()).map(str::to_string).collect())
            .unwrap_or_default();
        let mut root_segments: Vec<String> = match segments.iter().position(|p| p.eq_ignore_ascii_case("api")) {
            Some(i) => segments[..i].to_vec(),
            None => {
                // `https://host/docs/`: the documentation page people copy, not a prefix.
                let mut prefix = segments;
                while prefix.last().is_some_and(|p| DOC_SEGMENTS.iter().any(|d| p.eq_ignore_ascii_case(d))) {
                    prefix.pop();
                }
                prefix
            }
        };
        root_segments.push("api".to_string());
        let path = format!("/{}/", root_segments.join("/"));
        url.set_path(&path);
        url.set_query(None);
        url.set_fragment(None);
        Ok(ServerUrl { root: url })
    }

    /// The API root, ending in `/api/`.
    pub fn as_str(&self) -> &str {
        self.root.as_str()
    }

    /// `scheme://host[:port]` of the server.
    pub fn origin(&self) -> String {
        self.root.origin().ascii_serialization()
    }

    /// True for a loopback server (the only place plain http is allowed).
    pub fn is_loopback(&self) -> bool {
        is_loopback(&self.root)
    }

    pub(crate) fn url(&self) -> &Url {
        &self.root
    }

    /// `path` relative to the API root, e.g. `auth/login/`.
    pub(crate) fn join(&self, path: &str) -> Url {
        // The root always ends in '/', and every path we join is a plain relative path.
        self.root.join(path).expect("relative API path")
    }

    /// Same scheme, host and port as the configured server.
    pub(crate) fn same_origin(&self, other: &Url) -> bool {
        self.root.origin() == other.origin()
    }
}

/// Path segments of the documentation pages people copy from the browser.
const DOC_SEGMENTS: [&str; 6] = ["docs", "doc", "swagger", "redoc", "schema", "admin"];

/// A host name: letters, digits, hyphens (and the underscores some intranets use) in non-empty labels (international names arrive
/// here already in their `xn--` form); a final dot is allowed.
fn is_hostname(d: &str) -> bool {
    let d = d.strip_suffix('.').unwrap_or(d);
    !d.is_empty()
        && d.split('.').all(|label| {
            !label.is_empty() && label.len() <= 63 && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Some(Host::Ipv4(a)) => a.is_loopback(),
        Some(Host::Ipv6(a)) => a.is_loopback(),
        None => false,
    }
}

impl fmt::Display for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ServerUrl({:?})", self.as_str())
    }
}

impl std::str::FromStr for ServerUrl {
    type Err = AddressError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ServerUrl::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> String {
        ServerUrl::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e:?}")).as_str().to_string()
    }

    #[test]
    fn normalises_what_people_paste() {
        let want = "https://oas-beta.ottomate.me/api/";
        for input in [
            "https://oas-beta.ottomate.me",
            "https://oas-beta.ottomate.me/",
            "oas-beta.ottomate.me",
            "oas-beta.ottomate.me/api",
            "https://oas-beta.ottomate.me/api",
            "https://oas-beta.ottomate.me/api/",
            "https://oas-beta.ottomate.me/api/docs/",
            "https://oas-beta.ottomate.me/api/docs",
            "  https://oas-beta.ottomate.me/api/docs/  \n",
            "HTTPS://OAS-beta.ottomate.me/api/",
            "https://oas-beta.ottomate.me/api/organisations/?page=2#x",
            "https://oas-beta.ottomate.me:443/api/",
        ] {
            assert_eq!(ok(input), want, "{input:?}");
        }
    }

    #[test]
    fn keeps_port_and_prefix() {
        assert_eq!(ok("https://example.com:8443"), "https://example.com:8443/api/");
        assert_eq!(ok("https://example.com/oas/api/docs/"), "https://example.com/oas/api/");
        assert_eq!(ok("https://example.com/oas"), "https://example.com/oas/api/");
        assert_eq!(ok("example.com:8443/api"), "https://example.com:8443/api/");
    }

    #[test]
    fn http_only_for_loopback() {
        assert_eq!(ok("http://localhost:8765"), "http://localhost:8765/api/");
        assert_eq!(ok("http://127.0.0.1:8765/api/docs/"), "http://127.0.0.1:8765/api/");
        assert_eq!(ok("http://127.1.2.3"), "http://127.1.2.3/api/");
        assert_eq!(ok("http://[::1]:9000/api"), "http://[::1]:9000/api/");
        for bad in ["http://example.com", "http://192.168.1.10:8000", "http://10.0.0.1/api/", "http://[::2]/", "http://127.0.0.1.example.com/", "http://localhost.example.com"] {
            assert_eq!(ServerUrl::parse(bad), Err(AddressError::InsecureHttp), "{bad}");
        }
    }

    #[test]
    fn a_bare_address_of_this_computer_means_plain_http() {
        // What people type for the local sandbox.
        assert_eq!(ok("127.0.0.1:8765"), "http://127.0.0.1:8765/api/");
        assert_eq!(ok("localhost:8765/api/"), "http://localhost:8765/api/");
        assert_eq!(ok("[::1]:8765"), "http://[::1]:8765/api/");
        assert_eq!(ok("app.localhost:8765"), "http://app.localhost:8765/api/");
        // Asked for explicitly, https stays https.
        assert_eq!(ok("https://localhost:8443"), "https://localhost:8443/api/");
        assert_eq!(ok("https://127.0.0.1:8443/api/docs/"), "https://127.0.0.1:8443/api/");
        // Anything else bare is https.
        assert_eq!(ok("192.168.1.10:8000"), "https://192.168.1.10:8000/api/");
        assert_eq!(ok("127.0.0.1.example.com"), "https://127.0.0.1.example.com/api/");
    }

    #[test]
    fn documentation_pages_lead_to_the_api_root() {
        assert_eq!(ok("https://host.example/docs/"), "https://host.example/api/");
        assert_eq!(ok("https://host.example/swagger"), "https://host.example/api/");
        assert_eq!(ok("https://host.example/tenant/redoc/"), "https://host.example/tenant/api/");
        assert_eq!(ok("https://host.example/tenant/api/docs/"), "https://host.example/tenant/api/");
        assert_eq!(ok("HTTPS://OAS-Beta.Ottomate.ME/API/Docs/"), "https://oas-beta.ottomate.me/api/");
        assert_eq!(ok("https://oas-beta.ottomate.me/api/organisations/12/"), "https://oas-beta.ottomate.me/api/");
        assert_eq!(ok("https://host.example:443"), "https://host.example/api/");
    }

    #[test]
    fn refuses_garbage() {
        assert_eq!(ServerUrl::parse(""), Err(AddressError::Empty));
        assert_eq!(ServerUrl::parse("   "), Err(AddressError::Empty));
        for bad in [
            "ftp://example.com",
            "https://",
            "https:// example.com",
            "exa mple.com",
            "https://user:pw@example.com",
            "mailto:x",
            "javascript:alert(1)",
            "https://ho$t.example",
            "https://.example.com",
            "https://a..example.com",
        ] {
            assert_eq!(ServerUrl::parse(bad), Err(AddressError::Invalid), "{bad}");
        }
    }

    #[test]
    fn origin_and_display() {
        let s = ServerUrl::parse("https://example.com:8443/api/docs/").unwrap();
        assert_eq!(s.origin(), "https://example.com:8443");
        assert_eq!(ServerUrl::parse("https://example.com").unwrap().origin(), "https://example.com");
        assert_eq!(s.to_string(), "https://example.com:8443/api/");
        assert_eq!(s.join("auth/login/").as_str(), "https://example.com:8443/api/auth/login/");
        assert!(s.same_origin(&Url::parse("https://example.com:8443/api/organisations/?page=2").unwrap()));
        assert!(!s.same_origin(&Url::parse("https://example.com:8444/api/").unwrap()));
        assert!(!s.same_origin(&Url::parse("http://example.com:8443/api/").unwrap()));
        assert_eq!(AddressError::InsecureHttp.code(), "insecure_address");
        assert_eq!(AddressError::Empty.code(), "invalid_address");
    }
}
