//! The OAS API's organisation views: list (paginated) and create, detail (read, update),
//! `make_active/`.

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use serde::Serialize;
use serde_json::{json, Value};

use super::auth::UserOut;
use super::fields::{contacts_field, image_field, Field};
use super::pipeline::{Ctx, Then};
use super::responses::{bad_request, detail, json_response, server_error, Errors};
use super::{db, App, AppState, Reply};
use crate::store::{Contact, OrgRow, OrgWrite, Snapshot, UserRow};

#[derive(Serialize)]
struct OrgOut {
    id: i64,
    owner: UserOut,
    name: String,
    base_currency: String,
    currencies: Value,
    image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contacts: Option<Vec<Contact>>,
}

fn org_out(app: &App, owner: &UserRow, o: OrgRow) -> OrgOut {
    let currencies = if app.cfg.currencies_as_string {
        Value::String(o.currencies.join(","))
    } else {
        json!(o.currencies)
    };
    OrgOut {
        id: o.id,
        owner: UserOut::from(owner),
        name: o.name,
        base_currency: o.base_currency,
        currencies,
        image: o.image,
        is_active: (!app.cfg.strict).then_some(o.is_active),
        contacts: (!app.cfg.strict).then_some(o.contacts),
    }
}

const NO_ORG: &str = "No Organisation matches the given query.";

#[derive(Serialize)]
struct Page {
    count: usize,
    next: Option<String>,
    previous: Option<String>,
    results: Vec<OrgOut>,
}

/// DRF's `replace_query_param` / `remove_query_param`: sorted keys, values kept in order.
fn page_link(ctx: &Ctx, page: Option<usize>) -> String {
    let mut q: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in ctx.query_pairs() {
        q.entry(k).or_default().push(v);
    }
    match page {
        Some(p) => {
            q.insert("page".into(), vec![p.to_string()]);
        }
        None => {
            q.remove("page");
        }
    }
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, vs) in &q {
        for v in vs {
            ser.append_pair(k, v);
        }
    }
    let query = ser.finish();
    let base = format!("http://{}{}", ctx.host(), ctx.uri.path());
    if query.is_empty() {
        base
    } else {
        format!("{base}?{query}")
    }
}

/// The count, and the offset and rows of the page (None = "Invalid page.").
type OrgPage = (usize, Option<(usize, Vec<OrgRow>)>);

/// DRF's `PageNumberPagination`: the count decides which page numbers exist (`last` included);
/// the count and the page come from one snapshot.
fn org_page(s: &Snapshot<'_>, owner: i64, size: usize, page_param: Option<String>) -> anyhow::Result<OrgPage> {
    s.org_page(owner, size, |count| {
        let num_pages = count.div_ceil(size).max(1);
        let page = match page_param {
            None => 1,
            Some(p) if p == "last" => num_pages,
            Some(p) => match p.trim().parse::<i64>() {
                Ok(n) if n >= 1 && (n as usize) <= num_pages => n as usize,
                _ => return None,
            },
        };
        Some((page - 1) * size)
    })
}

/// `GET` a page (`?page=N` or `last`), `POST` a new organisation.
pub(super) async fn list(app: &AppState, ctx: &Ctx) -> Reply {
    let size = app.cfg.page_size.max(1);
    // A GET reads its page in the same trip to the database as the authentication.
    let then: Option<Then<OrgPage>> = ctx.is(&Method::GET).then(|| {
        let page_param =
            ctx.query_pairs().into_iter().rev().find(|(k, _)| k == "page").map(|(_, v)| v);
        Box::new(move |s: &Snapshot<'_>, u: &UserRow| org_page(s, u.id, size, page_param)) as Then<OrgPage>
    });
    let (user, page) = ctx.initial_then(app, then).await?;
    let user = user.expect("the view's permission requires a user");
    if ctx.method == Method::POST {
        return org_write(app, ctx, &user, None).await;
    }
    let (count, found) = page.ok_or_else(server_error)?;
    let (offset, rows) = found.ok_or_else(|| detail(StatusCode::NOT_FOUND, "Invalid page."))?;
    let page = offset / size + 1;
    let num_pages = count.div_ceil(size).max(1);
    let next = (page < num_pages).then(|| page_link(ctx, Some(page + 1)));
    let previous = match page {
        1 => None,
        2 => Some(page_link(ctx, None)),
        p => Some(page_link(ctx, Some(p - 1))),
    };
    let results = rows.into_iter().map(|o| org_out(app, &user, o)).collect();
    Ok(json_response(StatusCode::OK, &Page { count, next, previous, results }))
}

/// Create (`id` None) or update an organisation from the request body.
async fn org_write(app: &AppState, ctx: &Ctx, user: &UserRow, id: Option<i64>) -> Reply {
    let partial = ctx.method == Method::PATCH;
    let data = ctx.object().await?;
    let mut errors = Errors::new();
    let name = Field::new("name").required(!partial).max_length(255).char(&data, &mut errors);
    let base_currency = Field::new("base_currency").required(!partial).currency(&data, &mut errors);
    let currencies = Field::new("currencies").required(!partial).currencies(&data, &mut errors);
    let image = image_field(&data, &mut errors);
    let contacts = if app.cfg.strict { None } else { contacts_field(&data, &mut errors) };
    if !errors.is_empty() {
        return Err(bad_request(errors));
    }
    let w = OrgWrite { name, base_currency, currencies, image, contacts };
    let owner = user.id;
    match id {
        None => {
            let org = db(app, move |s| s.create_org(owner, &w)).await?;
            Ok(json_response(StatusCode::CREATED, &org_out(app, user, org)))
        }
        Some(id) => {
            let org = db(app, move |s| s.update_org(owner, id, &w)).await?.ok_or_else(no_org)?;
            Ok(json_response(StatusCode::OK, &org_out(app, user, org)))
        }
    }
}

fn no_org() -> axum::response::Response {
    detail(StatusCode::NOT_FOUND, NO_ORG)
}

/// `GET`, `PUT`, `PATCH` one organisation.
pub(super) async fn detail_view(app: &AppState, ctx: &Ctx) -> Reply {
    let user = ctx.user(app).await?;
    let id = ctx.id().parse::<i64>().map_err(|_| no_org())?;
    let owner = user.id;
    let org = db(app, move |s| s.get_org(owner, id)).await?.ok_or_else(no_org)?;
    if ctx.is(&Method::GET) {
        return Ok(json_response(StatusCode::OK, &org_out(app, &user, org)));
    }
    org_write(app, ctx, &user, Some(id)).await
}

#[derive(Serialize)]
struct Message {
    message: String,
}

/// `POST make_active/`.
pub(super) async fn make_active(app: &AppState, ctx: &Ctx) -> Reply {
    let user = ctx.user(app).await?;
    let id = ctx.id().parse::<i64>().map_err(|_| no_org())?;
    let owner = user.id;
    let org = db(app, move |s| s.make_active(owner, id)).await?.ok_or_else(no_org)?;
    Ok(json_response(
        StatusCode::OK,
        &Message { message: format!("Organisation \"{}\" is now active.", org.name) },
    ))
}
