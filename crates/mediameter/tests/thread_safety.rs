//! The "Thread safety" section of the crate docs, checked at compile time: every public type
//! of the facade's glue is `Send + Sync` (a change that broke that would stop this file
//! compiling). The re-exported libraries check their own types in their own suites.

fn assert_send_sync<T: Send + Sync + 'static>() {}

#[test]
fn public_types_are_send_and_sync() {
    use mediameter::mapping::{BillSpec, Mapping, Rule, Unmatched};
    use mediameter::meter::{BillableUsage, Meter, Unbilled};
    use mediameter::{
        BillingMonth, Error, ErrorKind, Invoice, InvoiceOptions, InvoiceRequest, InvoiceRun,
    };
    assert_send_sync::<Error>();
    assert_send_sync::<ErrorKind>();
    assert_send_sync::<BillingMonth>();
    assert_send_sync::<InvoiceOptions>();
    assert_send_sync::<InvoiceRequest>();
    assert_send_sync::<InvoiceRun>();
    assert_send_sync::<Invoice>();
    assert_send_sync::<Mapping>();
    assert_send_sync::<Rule>();
    assert_send_sync::<BillSpec>();
    assert_send_sync::<Unmatched>();
    assert_send_sync::<Meter>();
    assert_send_sync::<BillableUsage>();
    assert_send_sync::<Unbilled>();
}
