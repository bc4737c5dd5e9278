//! Every colour the app uses, in one place.

// The one module allowed to make colours (clippy.toml forbids it everywhere else).
#![allow(clippy::disallowed_methods)]

use eframe::egui::Color32;

use crate::model::EntityKind;

/// The highlight colour of an entity kind, for a light or dark background.
pub fn entity_color(kind: EntityKind, dark: bool) -> Color32 {
    let (r, g, b) = match kind {
        EntityKind::Person => (0x4e, 0x9a, 0xf0),
        EntityKind::Org => (0x3c, 0xb3, 0x71),
        EntityKind::Gpe => (0xe6, 0x7e, 0x22),
        EntityKind::Loc => (0xd3, 0x9e, 0x3a),
        EntityKind::Fac => (0xa0, 0x7a, 0x5a),
        EntityKind::Norp => (0x9b, 0x59, 0xb6),
        EntityKind::Date => (0x1a, 0xbc, 0x9c),
        EntityKind::Time => (0x16, 0xa0, 0x85),
        EntityKind::Money => (0x27, 0xae, 0x60),
        EntityKind::Percent => (0x8e, 0x8e, 0x3c),
        EntityKind::Quantity => (0x7f, 0x8c, 0x8d),
        EntityKind::Ordinal => (0x95, 0xa5, 0xa6),
        EntityKind::Cardinal => (0x95, 0xa5, 0xa6),
        EntityKind::Product => (0xc0, 0x39, 0x8b),
        EntityKind::Event => (0xe7, 0x4c, 0x3c),
        EntityKind::WorkOfArt => (0xd9, 0x5f, 0x9e),
        EntityKind::Law => (0x6c, 0x5c, 0xe7),
        EntityKind::Language => (0x00, 0x98, 0xb0),
        EntityKind::Email => (0x5d, 0x8a, 0xa8),
        EntityKind::Url => (0x34, 0x98, 0xdb),
        EntityKind::Phone => (0xb0, 0x7c, 0xc6),
    };
    if dark { Color32::from_rgb(r, g, b) } else { Color32::from_rgb(r / 10 * 9, g / 10 * 9, b / 10 * 9) }
}

/// The background behind an entity mention: the kind's colour, faint; stronger when selected.
pub fn entity_background(kind: EntityKind, dark: bool, selected: bool) -> Color32 {
    let c = entity_color(kind, dark);
    let alpha = match (selected, dark) {
        (true, _) => 150,
        (false, true) => 70,
        (false, false) => 55,
    };
    Color32::from_rgba_unmultiplied(c.r(), c.g(), c.b(), alpha)
}

/// Search matches: a saturated yellow that no entity kind uses, black text.
pub const MATCH_BACKGROUND: Color32 = Color32::from_rgb(0xff, 0xe0, 0x3d);
/// The current match (the one "N of M" points at).
pub const CURRENT_MATCH_BACKGROUND: Color32 = Color32::from_rgb(0xff, 0x8c, 0x00);
pub const MATCH_TEXT: Color32 = Color32::BLACK;
/// Text on a chip filled with an entity kind's colour (filters, the legend's shown kinds).
pub const CHIP_TEXT: Color32 = Color32::BLACK;

/// The months picked on the timeline, behind its bars.
pub fn timeline_selection(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgba_unmultiplied(0x4e, 0x9a, 0xf0, 60)
    } else {
        Color32::from_rgba_unmultiplied(0x2a, 0x6f, 0xc9, 45)
    }
}

/// Error and warning text.
pub fn error_color(dark: bool) -> Color32 {
    if dark { Color32::from_rgb(0xff, 0x7b, 0x72) } else { Color32::from_rgb(0xb0, 0x20, 0x20) }
}

/// Secondary text: paths, sizes.
pub fn weak_color(dark: bool) -> Color32 {
    if dark { Color32::from_gray(150) } else { Color32::from_gray(100) }
}
