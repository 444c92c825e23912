//! Swedish identifiers the platform checks before anything is stored or
//! looked up. Pure functions, tested natively.

/// Longest HSA-id accepted (Inera: at most 31 characters).
pub const HSA_ID_MAX_LEN: usize = 31;

/// Why an HSA-id was refused, phrased for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HsaIdError {
    TooLong(usize),
    MissingCountry,
    BadOwnerNumber,
    MissingSuffix,
    BadCharacter(char),
}

impl std::fmt::Display for HsaIdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooLong(n) => write!(
                f,
                "it has {n} characters, at most {HSA_ID_MAX_LEN} are allowed"
            ),
            Self::MissingCountry => write!(f, "it must start with the country code SE"),
            Self::BadOwnerNumber => write!(
                f,
                "SE must be followed by the catalogue owner's 10- or 12-digit organisation number"
            ),
            Self::MissingSuffix => write!(
                f,
                "the organisation number must be followed by '-' and a local part"
            ),
            Self::BadCharacter(c) => write!(
                f,
                "{c:?} is not allowed; the local part uses only A-Z, a-z and 0-9"
            ),
        }
    }
}

/// Checks an HSA-id: `SE` + 10 or 12 digits + `-` + one or more of
/// `A-Z a-z 0-9`, at most 31 characters (e.g. `SE2321000016-15CQ`).
pub fn check_hsa_id(id: &str) -> Result<(), HsaIdError> {
    let len = id.chars().count();
    if len > HSA_ID_MAX_LEN {
        return Err(HsaIdError::TooLong(len));
    }
    let rest = id.strip_prefix("SE").ok_or(HsaIdError::MissingCountry)?;
    let (owner, local) = rest.split_once('-').ok_or(HsaIdError::MissingSuffix)?;
    if !matches!(owner.len(), 10 | 12) || !owner.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HsaIdError::BadOwnerNumber);
    }
    if local.is_empty() {
        return Err(HsaIdError::MissingSuffix);
    }
    if let Some(c) = local.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Err(HsaIdError::BadCharacter(c));
    }
    Ok(())
}

/// Checks a Swedish organisation number: 10 digits (an optional `-` after
/// the sixth), the last a Luhn check digit over the first nine.
pub fn is_valid_organisation_number(number: &str) -> bool {
    let digits: Vec<u32> = number
        .chars()
        .enumerate()
        .filter(|&(i, c)| !(i == 6 && c == '-'))
        .map(|(_, c)| c.to_digit(10))
        .collect::<Option<_>>()
        .unwrap_or_default();
    if digits.len() != 10 {
        return false;
    }
    let sum: u32 = digits[..9]
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let v = if i % 2 == 0 { d * 2 } else { d };
            if v > 9 { v - 9 } else { v }
        })
        .sum();
    (10 - sum % 10) % 10 == digits[9]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsa_ids() {
        let cases: &[(&str, Result<(), HsaIdError>)] = &[
            ("SE2321000016-15CQ", Ok(())),
            ("SE162321000016-ABC1", Ok(())),
            ("SE2321000016-a", Ok(())),
            ("2321000016-15CQ", Err(HsaIdError::MissingCountry)),
            ("SE23210000-15CQ", Err(HsaIdError::BadOwnerNumber)),
            ("SE232100001X-15CQ", Err(HsaIdError::BadOwnerNumber)),
            ("SE2321000016", Err(HsaIdError::MissingSuffix)),
            ("SE2321000016-", Err(HsaIdError::MissingSuffix)),
            ("SE2321000016-15ÅQ", Err(HsaIdError::BadCharacter('Å'))),
            ("SE2321000016-15@Q", Err(HsaIdError::BadCharacter('@'))),
            ("SE2321000016-15/Q", Err(HsaIdError::BadCharacter('/'))),
            ("SE2321000016-ABCDEFGHIJKLMNOPQR", Ok(())),
            (
                "SE2321000016-ABCDEFGHIJKLMNOPQRS",
                Err(HsaIdError::TooLong(32)),
            ),
        ];
        for (id, expected) in cases {
            assert_eq!(&check_hsa_id(id), expected, "{id}");
        }
    }

    #[test]
    fn organisation_numbers() {
        // Region Stockholm 232100-0016; Inera AB 556559-4230.
        for ok in ["2321000016", "232100-0016", "5565594230"] {
            assert!(is_valid_organisation_number(ok), "{ok}");
        }
        for bad in [
            "2321000017",
            "232100001",
            "23210000160",
            "23210-00016",
            "abcdefghij",
            "",
        ] {
            assert!(!is_valid_organisation_number(bad), "{bad}");
        }
    }
}
