//! What Dossier says about itself: its version, the entity model it embeds and the licences of
//! everything built into it (the model's notice must travel with every copy of the weights).

/// The version, and the entity model with its licence: `dossier --version` prints it.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "; entity model: spaCy en_core_web_sm 3.8.0 by Explosion AI, MIT licence (dossier --licenses)"
);

/// The entity model's copyright and permission notice.
pub const MODEL_LICENSE: &str = include_str!("../assets/ner/LICENSE");

/// Every crate built into the binary with its licence, then the licence texts
/// (`scripts/licenses.py` writes it).
pub const THIRD_PARTY: &str = include_str!("../assets/THIRD-PARTY-LICENSES.txt");

/// Everything `dossier --licenses` prints.
pub fn licenses() -> String {
    format!(
        "Dossier {VERSION}\nDossier itself: MIT OR Apache-2.0.\n\nEntity model (spaCy en_core_web_sm 3.8.0, weights compiled in):\n\n\
         {MODEL_LICENSE}\n\n{THIRD_PARTY}"
    )
}

/// The crates, one line each (name, version, licence): the list part of [`THIRD_PARTY`].
pub fn crate_lines() -> impl Iterator<Item = &'static str> {
    THIRD_PARTY
        .lines()
        .skip_while(|l| !l.is_empty())
        .skip(1)
        .skip_while(|l| !l.is_empty())
        .skip(1)
        .take_while(|l| !l.is_empty())
}
