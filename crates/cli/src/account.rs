//! `mediameter refund` and `mediameter app-status`: what the billing library answers about
//! packs and apps, from the engine state an invoice or a bill printed. Argument parsing and
//! printing only: the rules are `PackEngine::refund_check` / `refund` (the 7-day unconsumed
//! rule) and `AppStatus::transition` (enabling needs a pack with balance; overdue).

use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use mediameter_billing::{AppAction, AppContext, AppStatus};
use mediameter_billing::{EngineState, Pack, PackEngine, PackId, RefundDecision};
use mediameter_core::ProductType;

use crate::io::{CliError, Format, parse_json, read_input, write_json};

/// The engine of `--state` (a printed `state`) with the packs of `--packs` added.
fn engine(state: Option<&PathBuf>, packs: Option<&PathBuf>) -> Result<PackEngine, CliError> {
    let mut engine = match state {
        Some(p) => {
            let state: EngineState = parse_json(&read_input(Some(p))?, "state")?;
            PackEngine::try_from(state).map_err(|e| CliError::input(format!("state: {e}")))?
        }
        None => PackEngine::new(),
    };
    if let Some(p) = packs {
        let packs: Vec<Pack> = parse_json(&read_input(Some(p))?, "packs")?;
        for (i, pack) in packs.into_iter().enumerate() {
            engine
                .add_pack(pack)
                .map_err(|e| CliError::input(format!("packs[{i}]: {e}")))?;
        }
    }
    Ok(engine)
}

fn instant(s: &str, flag: &str) -> Result<DateTime<Utc>, CliError> {
    mediameter_core::time::parse_instant(s).map_err(|e| CliError::usage(format!("--{flag}: {e}")))
}

// ---------- refund ----------

/// Whether a pack may be refunded (Alibaba Cloud RTC pricing): bought no more than 7 days ago,
/// nothing consumed, not expired, not refunded before.
#[derive(clap::Args, Debug)]
pub(crate) struct RefundArgs {
    /// The pack id.
    #[arg(long)]
    pack: String,
    /// When the refund is asked for (RFC 3339 or Unix seconds).
    #[arg(long)]
    at: String,
    /// The engine state printed by `invoice` or `bill` (packs with what was drawn).
    #[arg(long)]
    state: Option<PathBuf>,
    /// Packs (JSON array) added to the state, e.g. bought since.
    #[arg(long)]
    packs: Option<PathBuf>,
    /// Refund it when allowed and print the new state.
    #[arg(long)]
    apply: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(serde::Serialize)]
struct RefundOutput {
    pack: String,
    at: DateTime<Utc>,
    allowed: bool,
    decision: RefundDecision,
    /// Why, in words, when refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<EngineState>,
}

/// Runs `mediameter refund`.
pub(crate) fn run_refund(args: &RefundArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let id =
        PackId::new(args.pack.as_str()).map_err(|e| CliError::usage(format!("--pack: {e}")))?;
    let at = instant(&args.at, "at")?;
    let mut engine = engine(args.state.as_ref(), args.packs.as_ref())?;
    let decision = if args.apply {
        engine.refund(&id, at)
    } else {
        engine.refund_check(&id, at)
    }
    .map_err(CliError::input)?;
    let reason = match &decision {
        RefundDecision::Refused(r) => Some(r.to_string()),
        RefundDecision::Allowed => None,
        // A decision added to the library later: shown by its JSON form only.
        _ => None,
    };
    let output = RefundOutput {
        pack: id.to_string(),
        at,
        allowed: decision.is_allowed(),
        decision,
        message: reason,
        state: args.apply.then(|| EngineState::from(engine)),
    };
    match args.format {
        Format::Json => write_json(out, &output),
        Format::Table => {
            let verdict = match &output.message {
                None if args.apply => "refunded".to_owned(),
                None => "may be refunded".to_owned(),
                Some(r) => format!("may not be refunded: {r}"),
            };
            writeln!(
                out,
                "pack {} at {}: {verdict}",
                mediameter_core::echo::echo(&output.pack),
                at.to_rfc3339()
            )?;
            Ok(())
        }
    }
}

// ---------- app-status ----------

/// An app's status, as on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Status {
    Enabled,
    Disabled,
    Overdue,
    Deleted,
}

/// An action on an app, as on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Action {
    Enable,
    Disable,
    ChargesUnpaid,
    ArrearsPaid,
    Delete,
}

/// What an action does to an app (Alibaba Cloud RTC console guide and pricing): a new app is
/// disabled; enabling needs a pack of the product that is valid and still has balance; unpaid
/// charges make an enabled app overdue until the arrears are paid.
#[derive(clap::Args, Debug)]
pub(crate) struct AppStatusArgs {
    /// The app's current status.
    #[arg(long, value_enum, default_value = "disabled")]
    status: Status,
    /// The action.
    #[arg(long, value_enum)]
    action: Action,
    /// The product whose packs count for enabling.
    #[arg(long, default_value = "rtc")]
    product: String,
    /// When (RFC 3339 or Unix seconds): packs valid then count.
    #[arg(long)]
    at: String,
    /// The engine state printed by `invoice` or `bill`.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Packs (JSON array) added to the state.
    #[arg(long)]
    packs: Option<PathBuf>,
    /// The app has unpaid pay-as-you-go charges.
    #[arg(long)]
    arrears: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(serde::Serialize)]
struct AppStatusOutput {
    from: AppStatus,
    action: AppAction,
    pack_with_balance: bool,
    arrears: bool,
    allowed: bool,
    to: AppStatus,
    can_communicate: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    refusal: Option<mediameter_billing::AppRefusal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

/// Runs `mediameter app-status`.
pub(crate) fn run_app_status(args: &AppStatusArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let from = match args.status {
        Status::Enabled => AppStatus::Enabled,
        Status::Disabled => AppStatus::Disabled,
        Status::Overdue => AppStatus::Overdue,
        Status::Deleted => AppStatus::Deleted,
    };
    let action = match args.action {
        Action::Enable => AppAction::Enable,
        Action::Disable => AppAction::Disable,
        Action::ChargesUnpaid => AppAction::ChargesUnpaid,
        Action::ArrearsPaid => AppAction::ArrearsPaid,
        Action::Delete => AppAction::Delete,
    };
    let product: ProductType = args
        .product
        .parse()
        .map_err(|e| CliError::usage(format!("--product: {e}")))?;
    let at = instant(&args.at, "at")?;
    let engine = engine(args.state.as_ref(), args.packs.as_ref())?;
    let context = AppContext::new(engine.has_balance(&product, at), args.arrears);
    let result = from.transition(action, context);
    let output = AppStatusOutput {
        from,
        action,
        pack_with_balance: context.pack_with_balance,
        arrears: context.arrears,
        allowed: result.is_ok(),
        to: result.unwrap_or(from),
        can_communicate: result.unwrap_or(from).can_communicate(),
        refusal: result.err(),
        message: result.err().map(|r| r.to_string()),
    };
    match args.format {
        Format::Json => write_json(out, &output),
        Format::Table => {
            let status = |s: AppStatus| format!("{s:?}").to_lowercase();
            match &output.message {
                None => writeln!(
                    out,
                    "{action}: {} -> {} (communication {})",
                    status(from),
                    status(output.to),
                    if output.can_communicate {
                        "allowed"
                    } else {
                        "cut"
                    }
                )?,
                Some(r) => writeln!(out, "{action} refused while {}: {r}", status(from))?,
            }
            Ok(())
        }
    }
}
