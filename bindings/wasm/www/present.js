// Plain words for what the wallet shows: the credential, the verifier's
// policy (what the proof shows, what stays hidden) and errors, with dates as
// dates. The statement counts days from 1970-01-01 (docs/statement.md).

const DAY_MS = 86_400_000;

/// `YYYY-MM-DD` of a day number.
export function isoDate(days) {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

/// A day number's date in the reader's words ("8 December 2026").
export function longDate(days) {
  return new Date(days * DAY_MS).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

/// Today as the statement counts it.
export function today() {
  return Math.floor(Date.now() / DAY_MS);
}

// ISO 3166-1 numeric → alpha-2, for the codes a policy or credential most
// often names; others are shown by number.
const ALPHA2 = {
  4: "AF", 36: "AU", 40: "AT", 56: "BE", 76: "BR", 112: "BY", 124: "CA", 156: "CN", 192: "CU", 203: "CZ",
  208: "DK", 246: "FI", 250: "FR", 276: "DE", 300: "GR", 344: "HK", 348: "HU", 356: "IN", 360: "ID",
  364: "IR", 368: "IQ", 372: "IE", 376: "IL", 380: "IT", 392: "JP", 408: "KP", 410: "KR", 422: "LB",
  434: "LY", 442: "LU", 484: "MX", 528: "NL", 554: "NZ", 566: "NG", 578: "NO", 586: "PK", 616: "PL",
  620: "PT", 642: "RO", 643: "RU", 682: "SA", 702: "SG", 704: "VN", 710: "ZA", 724: "ES", 729: "SD",
  752: "SE", 756: "CH", 760: "SY", 784: "AE", 792: "TR", 804: "UA", 826: "GB", 840: "US", 862: "VE",
  887: "YE",
};
const regions = new Intl.DisplayNames(["en"], { type: "region" });

/// A country's name from its ISO numeric code.
export function country(code) {
  const alpha2 = ALPHA2[code];
  return alpha2 ? regions.of(alpha2) : `country ${code}`;
}

const KYC_LEVELS = { 1: "basic", 2: "enhanced", 3: "KYB (a business)" };
const SUBJECT_TYPES = ["a person", "a business", "a machine"];

/// A list in words: "a, b or c".
function either(items, word = "or") {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} ${word} ${items.at(-1)}`;
}

/// The credential's claims, each as a line.
export function credentialLines(claims, now = today()) {
  const lines = [
    ["Born", longDate(claims.birth_date)],
    ["Country", country(claims.country)],
    ["KYC level", KYC_LEVELS[claims.kyc_level] ?? `level ${claims.kyc_level}`],
    ["Risk score", `${claims.risk_score} of 1000`],
    ["Subject", SUBJECT_TYPES[claims.subject_type] ?? `type ${claims.subject_type}`],
    ["Valid", `${longDate(claims.issued_at)} to ${longDate(claims.expires_at)}`],
  ];
  if (now >= claims.expires_at) lines.push(["Status", `expired on ${longDate(claims.expires_at)}`]);
  else if (now < claims.issued_at) lines.push(["Status", `not valid before ${longDate(claims.issued_at)}`]);
  return lines;
}

/// What the proof will show the verifier, one rule a line.
export function policyRules(policy) {
  const types = SUBJECT_TYPES.filter((_, t) => (policy.subject_type_mask >> t) & 1);
  const rules = [
    `You are at least ${Math.floor(policy.min_age_days / 365.25)} years old.`,
    `Your risk score is at most ${policy.max_risk}.`,
    `Your KYC level is ${KYC_LEVELS[policy.min_kyc_level] ?? policy.min_kyc_level} or higher.`,
    `You are ${either(types)}.`,
  ];
  if (policy.barred_countries.length) {
    rules.push(`Your country is not ${either(policy.barred_countries.map(country))}.`);
  }
  rules.push("Your credential comes from an issuer the verifier trusts and is not revoked.");
  rules.push("Your credential id is sealed to the regulator: only a quorum of its officials can open it.");
  return rules;
}

/// What the proof reveals, and what stays on this device.
export function disclosure() {
  return {
    disclosed: ["that every rule above holds", "the payment the proof is for", "a one-time tag for this verifier (so one credential cannot pay twice)"],
    hidden: ["your birth date", "your country", "your KYC level and risk score", "your credential's dates and id", "who issued it", "your name"],
  };
}

const MESSAGES = {
  WITNESS_REFUSED: "Your credential does not meet this policy",
  INVALID_KEY: "The proving key could not be loaded",
  MALFORMED_INPUT: "The wallet's documents could not be read",
};

/// An error in plain words: day numbers ("day 21123", "today is 21123")
/// become dates.
export function plainError(error) {
  const detail = String(error.message ?? error).replace(
    /\b(day|today is) (\d{4,6})\b/g,
    (_, words, d) => `${words === "day" ? "" : "today is "}${longDate(Number(d))}`,
  );
  const lead = MESSAGES[error.code];
  return lead ? `${lead}: ${detail}` : detail;
}
