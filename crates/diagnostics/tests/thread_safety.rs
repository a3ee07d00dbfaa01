//! The "Thread safety" section of the crate docs, checked at compile time: every public type
//! named here is `Send + Sync` (a change that broke that would stop this file compiling).

fn assert_send_sync<T: Send + Sync + 'static>() {}

#[test]
fn public_types_are_send_and_sync() {
    use mediameter_diagnostics::*;
    assert_send_sync::<DiagnosisRequest>();
    assert_send_sync::<ParticipantInput>();
    assert_send_sync::<ClientInfo>();
    assert_send_sync::<SampleInput>();
    assert_send_sync::<Sample>();
    assert_send_sync::<Participant>();
    assert_send_sync::<Call>();
    assert_send_sync::<StreamInput>();
    assert_send_sync::<StreamSampleInput>();
    assert_send_sync::<StreamSample>();
    assert_send_sync::<Stream>();
    assert_send_sync::<StreamKind>();
    assert_send_sync::<OperationInput>();
    assert_send_sync::<Operation>();
    assert_send_sync::<OperationKind>();
    assert_send_sync::<Effect>();
    assert_send_sync::<Profile>();
    assert_send_sync::<ClientPolicy>();
    assert_send_sync::<MinVersion>();
    assert_send_sync::<TierBitrates>();
    assert_send_sync::<Version>();
    assert_send_sync::<Diagnosis>();
    assert_send_sync::<Finding>();
    assert_send_sync::<FindingKind>();
    assert_send_sync::<Severity>();
    assert_send_sync::<Side>();
    assert_send_sync::<Observed>();
    assert_send_sync::<ExplainedBy>();
    assert_send_sync::<Escalation>();
    assert_send_sync::<Gap>();
    assert_send_sync::<Grade>();
    assert_send_sync::<WindowScore>();
    assert_send_sync::<PairScore>();
    assert_send_sync::<emodel::Model>();
    assert_send_sync::<emodel::Codec>();
    assert_send_sync::<emodel::Params>();
    assert_send_sync::<emodel::Rating>();
    assert_send_sync::<emodel::CallInputs>();
    assert_send_sync::<emodel::Score>();
    assert_send_sync::<emodel::Scorer>();
    assert_send_sync::<Error>();
    assert_send_sync::<ErrorKind>();
}
