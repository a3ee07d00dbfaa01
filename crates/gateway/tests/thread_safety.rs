//! The "Thread safety" section of the crate docs, checked at compile time: every public type
//! named here is `Send + Sync` (a change that broke that would stop this file compiling).

fn assert_send_sync<T: Send + Sync + 'static>() {}

#[test]
fn public_types_are_send_and_sync() {
    use mediameter_gateway::*;
    assert_send_sync::<Gateway>();
    assert_send_sync::<GatewayLayer>();
    assert_send_sync::<GatewayService<()>>();
    assert_send_sync::<GatewayBuilder>();
    assert_send_sync::<Admitted>();
    assert_send_sync::<Principal>();
    assert_send_sync::<SystemClock>();
    assert_send_sync::<token::TokenVerifier>();
    assert_send_sync::<token::Keyring>();
    assert_send_sync::<token::AppKey>();
    assert_send_sync::<token::Token>();
    assert_send_sync::<token::Claims>();
    assert_send_sync::<token::Binding<'static>>();
    assert_send_sync::<Error>();
    assert_send_sync::<ErrorKind>();
}
