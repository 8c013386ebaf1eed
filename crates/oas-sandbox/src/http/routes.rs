//! The routes, written once: the router registers them, the `APPEND_SLASH` fallback matches
//! them, and each view's `Allow` header and OPTIONS name come from its entry.

use axum::extract::Request;
use axum::http::Method;
use axum::response::Response;
use futures_util::future::BoxFuture;

use super::pipeline::{finalize, Ctx, Perm, View};
use super::{auth, organisations, AppState, Reply};

/// A view's method handler; it runs DRF's `initial()` through [`Ctx::initial`] itself, so
/// that it may join its own database reads to the authentication's.
pub(super) type Handler = for<'a> fn(&'a AppState, &'a Ctx) -> BoxFuture<'a, Reply>;

pub(super) struct Route {
    /// axum's pattern; `{id}` is one path segment.
    pub path: &'static str,
    pub view: View,
    pub handler: Handler,
}

const GET: Method = Method::GET;
const POST: Method = Method::POST;
const PUT: Method = Method::PUT;
const PATCH: Method = Method::PATCH;

/// dj-rest-auth's views: authenticated (a bad `Authorization` header is refused even where no
/// user is needed) and throttled with the `dj_rest_auth` scope.
const fn rest_auth(name: &'static str, methods: &'static [Method], perm: Perm) -> View {
    View { name, methods, listed_only: &[], authenticate: true, perm, throttled: true }
}

/// simplejwt's token views: no authentication classes, no throttling.
const fn simplejwt(name: &'static str) -> View {
    View { name, methods: &[POST], listed_only: &[], authenticate: false, perm: Perm::AllowAny, throttled: false }
}

/// The OAS API's views: token and API key.
const fn oas(name: &'static str, methods: &'static [Method]) -> View {
    View { name, methods, listed_only: &[], authenticate: true, perm: Perm::ApiKeyAndUser, throttled: false }
}

pub(super) static ROUTES: &[Route] = &[
    Route {
        path: "/api/auth/login/",
        view: rest_auth("Login", &[POST], Perm::AllowAny),
        handler: |app, ctx| Box::pin(auth::login(app, ctx)),
    },
    Route {
        path: "/api/auth/logout/",
        // dj-rest-auth defines `get` (it answers 405 without ACCOUNT_LOGOUT_ON_GET), so DRF
        // lists GET in `Allow`.
        view: View { listed_only: &[GET], ..rest_auth("Logout", &[POST], Perm::AllowAny) },
        handler: |app, ctx| Box::pin(auth::logout(app, ctx)),
    },
    Route {
        path: "/api/auth/token/refresh/",
        view: simplejwt("Token Refresh"),
        handler: |app, ctx| Box::pin(auth::token_refresh(app, ctx)),
    },
    Route {
        path: "/api/auth/token/verify/",
        view: simplejwt("Token Verify"),
        handler: |app, ctx| Box::pin(auth::token_verify(app, ctx)),
    },
    Route {
        path: "/api/auth/user/",
        view: rest_auth("User Details", &[GET, PUT, PATCH], Perm::IsAuthenticated),
        handler: |app, ctx| Box::pin(auth::user_details(app, ctx)),
    },
    Route {
        path: "/api/auth/password/change/",
        view: rest_auth("Password Change", &[POST], Perm::IsAuthenticated),
        handler: |app, ctx| Box::pin(auth::password_change(app, ctx)),
    },
    Route {
        path: "/api/organisations/",
        view: oas("Organisation List", &[GET, POST]),
        handler: |app, ctx| Box::pin(organisations::list(app, ctx)),
    },
    Route {
        path: "/api/organisations/{id}/",
        view: oas("Organisation Instance", &[GET, PUT, PATCH]),
        handler: |app, ctx| Box::pin(organisations::detail_view(app, ctx)),
    },
    Route {
        path: "/api/organisations/{id}/make_active/",
        view: oas("Make Active", &[POST]),
        handler: |app, ctx| Box::pin(organisations::make_active(app, ctx)),
    },
];

/// One request to one route: read it, run the view, add DRF's headers.
pub(super) async fn serve(app: AppState, route: &'static Route, req: Request) -> Response {
    let ctx = match Ctx::read(req, &route.view, route.has_params()).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let r = (route.handler)(&app, &ctx).await.unwrap_or_else(|r| r);
    finalize(&route.view, r)
}

impl Route {
    pub fn has_params(&self) -> bool {
        self.path.contains('{')
    }

    /// Whether Django's URL patterns would resolve `path` to this route (a parameter is a
    /// non-empty segment without `.`, like DRF's router's lookup pattern).
    fn resolves(&self, path: &str) -> bool {
        let mut want = self.path.split('/');
        let mut got = path.split('/');
        loop {
            match (want.next(), got.next()) {
                (None, None) => return true,
                (Some(w), Some(g)) if w.starts_with('{') => {
                    if g.is_empty() || g.contains('.') {
                        return false;
                    }
                }
                (Some(w), Some(g)) if w == g => {}
                _ => return false,
            }
        }
    }
}

/// Whether a path names a route (for `APPEND_SLASH`).
pub(super) fn is_known(path: &str) -> bool {
    ROUTES.iter().any(|r| r.resolves(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_paths_follow_the_table() {
        for known in [
            "/api/auth/login/",
            "/api/auth/password/change/",
            "/api/organisations/",
            "/api/organisations/12/",
            "/api/organisations/abc/",
            "/api/organisations/12/make_active/",
        ] {
            assert!(is_known(known), "{known}");
        }
        for unknown in [
            "/api/auth/register/",
            "/api/organisations//",
            "/api/organisations/1.5/",
            "/api/organisations/12/make_active/x/",
            "/api/organisations/12/other/",
            "/api/",
        ] {
            assert!(!is_known(unknown), "{unknown}");
        }
    }

    #[test]
    fn allow_headers_list_methods_in_django_order() {
        let allow = |path: &str| ROUTES.iter().find(|r| r.path == path).unwrap().view.allow();
        assert_eq!(allow("/api/auth/login/"), "POST, OPTIONS");
        assert_eq!(allow("/api/auth/logout/"), "GET, POST, HEAD, OPTIONS");
        assert_eq!(allow("/api/auth/user/"), "GET, PUT, PATCH, HEAD, OPTIONS");
        assert_eq!(allow("/api/organisations/"), "GET, POST, HEAD, OPTIONS");
    }
}
