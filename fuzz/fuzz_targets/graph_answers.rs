//! Whatever Graph (or anything posing as Graph) answers: device pages,
//! single devices, users, groups, bulk outcomes and error bodies; and every link
//! the client would follow stays on the Graph root's origin.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oathdesk_entra::answers;
use oathdesk_entra::graph_url;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let body = answers::body(text);
    let page = answers::device_page(&body);
    for device in page
        .items
        .iter()
        .chain(answers::device(&body).ok().as_ref())
    {
        let _ = device.params().validate();
    }
    let _ = answers::users(&body);
    for group in answers::groups(&body)
        .iter()
        .chain(answers::group(&body).ok().as_ref())
    {
        assert!(!group.id.is_empty(), "a group without an id was read");
    }
    let _ = answers::bulk_created(&body);
    for status in [400, 401, 403, 404, 409, 429, 500] {
        let e = answers::error(status, &body, Some("header-id".into()));
        assert_eq!(e.status, Some(status));
        assert!(!e.next_step().is_empty());
    }
    let base = url::Url::parse("https://graph.microsoft.com").expect("the Graph root");
    let members_next = answers::next_link(&body);
    for link in [Some(text), page.next.as_deref(), members_next.as_deref()]
        .into_iter()
        .flatten()
    {
        if let Ok(url) = graph_url(&base, link) {
            assert_eq!(url.origin(), base.origin(), "{link:?} left Graph");
        }
    }
});
