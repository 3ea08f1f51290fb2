//! The Northwind Logistics demo organisation, embedded in the binary.
//!
//! `greenroom serve --demo` ingests these files so that a new user meets a
//! coherent company instead of an empty portal: an org chart of groups and
//! users, domains and systems, services with TechDocs sites and OpenAPI,
//! AsyncAPI, GraphQL and gRPC contracts, resources, and a "Create a Rust
//! service" template with its skeleton. The files live on disk under
//! `crates/greenroom/demo/` (where they can be read and edited like any
//! catalog repository) and are compiled in here, so the binary needs nothing
//! next to it.
//!
//! Descriptors refer to each other by relative paths (Location targets,
//! `$text` placeholders, `backstage.io/techdocs-ref: dir:.`), so consumers
//! must keep the tree shape: materialise every entry under one directory, or
//! serve them from one base URL, and register the first entry.

/// Every file of the demo organisation as `(path, contents)`.
///
/// Paths are relative to the demo root and use `/` as separator. The first
/// entry is the root `kind: Location` (`catalog-info.yaml`) whose targets
/// reach every other descriptor. The template skeleton under
/// `templates/create-rust-service/skeleton/` is listed too: it is scaffolder
/// input, not catalog input, and must not be ingested on its own.
pub const DEMO_FILES: &[(&str, &[u8])] = &[
    (
        "catalog-info.yaml",
        include_bytes!("../demo/catalog-info.yaml"),
    ),
    (
        "apis/merchant-api.graphql",
        include_bytes!("../demo/apis/merchant-api.graphql"),
    ),
    (
        "apis/merchant-api.yaml",
        include_bytes!("../demo/apis/merchant-api.yaml"),
    ),
    (
        "apis/parcel-events.asyncapi.yaml",
        include_bytes!("../demo/apis/parcel-events.asyncapi.yaml"),
    ),
    (
        "apis/parcel-events.yaml",
        include_bytes!("../demo/apis/parcel-events.yaml"),
    ),
    (
        "org/commerce.yaml",
        include_bytes!("../demo/org/commerce.yaml"),
    ),
    (
        "org/delivery.yaml",
        include_bytes!("../demo/org/delivery.yaml"),
    ),
    (
        "org/northwind.yaml",
        include_bytes!("../demo/org/northwind.yaml"),
    ),
    (
        "org/platform.yaml",
        include_bytes!("../demo/org/platform.yaml"),
    ),
    (
        "services/booking-service/booking-api.openapi.yaml",
        include_bytes!("../demo/services/booking-service/booking-api.openapi.yaml"),
    ),
    (
        "services/booking-service/catalog-info.yaml",
        include_bytes!("../demo/services/booking-service/catalog-info.yaml"),
    ),
    (
        "services/booking-service/docs/api-usage.md",
        include_bytes!("../demo/services/booking-service/docs/api-usage.md"),
    ),
    (
        "services/booking-service/docs/index.md",
        include_bytes!("../demo/services/booking-service/docs/index.md"),
    ),
    (
        "services/booking-service/docs/runbook.md",
        include_bytes!("../demo/services/booking-service/docs/runbook.md"),
    ),
    (
        "services/booking-service/mkdocs.yml",
        include_bytes!("../demo/services/booking-service/mkdocs.yml"),
    ),
    (
        "services/parcel-tracker/catalog-info.yaml",
        include_bytes!("../demo/services/parcel-tracker/catalog-info.yaml"),
    ),
    (
        "services/parcel-tracker/docs/api-usage.md",
        include_bytes!("../demo/services/parcel-tracker/docs/api-usage.md"),
    ),
    (
        "services/parcel-tracker/docs/architecture.md",
        include_bytes!("../demo/services/parcel-tracker/docs/architecture.md"),
    ),
    (
        "services/parcel-tracker/docs/index.md",
        include_bytes!("../demo/services/parcel-tracker/docs/index.md"),
    ),
    (
        "services/parcel-tracker/docs/runbook.md",
        include_bytes!("../demo/services/parcel-tracker/docs/runbook.md"),
    ),
    (
        "services/parcel-tracker/mkdocs.yml",
        include_bytes!("../demo/services/parcel-tracker/mkdocs.yml"),
    ),
    (
        "services/parcel-tracker/tracking-api.openapi.yaml",
        include_bytes!("../demo/services/parcel-tracker/tracking-api.openapi.yaml"),
    ),
    (
        "services/route-optimizer/catalog-info.yaml",
        include_bytes!("../demo/services/route-optimizer/catalog-info.yaml"),
    ),
    (
        "services/route-optimizer/docs/index.md",
        include_bytes!("../demo/services/route-optimizer/docs/index.md"),
    ),
    (
        "services/route-optimizer/docs/on-call.md",
        include_bytes!("../demo/services/route-optimizer/docs/on-call.md"),
    ),
    (
        "services/route-optimizer/docs/planning.md",
        include_bytes!("../demo/services/route-optimizer/docs/planning.md"),
    ),
    (
        "services/route-optimizer/mkdocs.yml",
        include_bytes!("../demo/services/route-optimizer/mkdocs.yml"),
    ),
    (
        "services/route-optimizer/route_planner.proto",
        include_bytes!("../demo/services/route-optimizer/route_planner.proto"),
    ),
    (
        "systems/developer-platform.yaml",
        include_bytes!("../demo/systems/developer-platform.yaml"),
    ),
    (
        "systems/domains.yaml",
        include_bytes!("../demo/systems/domains.yaml"),
    ),
    (
        "systems/event-backbone.yaml",
        include_bytes!("../demo/systems/event-backbone.yaml"),
    ),
    (
        "systems/merchant-portal.yaml",
        include_bytes!("../demo/systems/merchant-portal.yaml"),
    ),
    (
        "systems/parcel-tracking/catalog-info.yaml",
        include_bytes!("../demo/systems/parcel-tracking/catalog-info.yaml"),
    ),
    (
        "systems/parcel-tracking/docs/architecture.md",
        include_bytes!("../demo/systems/parcel-tracking/docs/architecture.md"),
    ),
    (
        "systems/parcel-tracking/docs/index.md",
        include_bytes!("../demo/systems/parcel-tracking/docs/index.md"),
    ),
    (
        "systems/parcel-tracking/docs/on-call.md",
        include_bytes!("../demo/systems/parcel-tracking/docs/on-call.md"),
    ),
    (
        "systems/parcel-tracking/docs/scan-journey.md",
        include_bytes!("../demo/systems/parcel-tracking/docs/scan-journey.md"),
    ),
    (
        "systems/parcel-tracking/mkdocs.yml",
        include_bytes!("../demo/systems/parcel-tracking/mkdocs.yml"),
    ),
    (
        "systems/route-planning.yaml",
        include_bytes!("../demo/systems/route-planning.yaml"),
    ),
    (
        "systems/shipment-booking.yaml",
        include_bytes!("../demo/systems/shipment-booking.yaml"),
    ),
    (
        "templates/create-rust-service/skeleton/.gitignore",
        include_bytes!("../demo/templates/create-rust-service/skeleton/.gitignore"),
    ),
    (
        "templates/create-rust-service/skeleton/Cargo.toml",
        include_bytes!("../demo/templates/create-rust-service/skeleton/Cargo.toml"),
    ),
    (
        "templates/create-rust-service/skeleton/README.md",
        include_bytes!("../demo/templates/create-rust-service/skeleton/README.md"),
    ),
    (
        "templates/create-rust-service/skeleton/catalog-info.yaml",
        include_bytes!("../demo/templates/create-rust-service/skeleton/catalog-info.yaml"),
    ),
    (
        "templates/create-rust-service/skeleton/docs/index.md",
        include_bytes!("../demo/templates/create-rust-service/skeleton/docs/index.md"),
    ),
    (
        "templates/create-rust-service/skeleton/mkdocs.yml",
        include_bytes!("../demo/templates/create-rust-service/skeleton/mkdocs.yml"),
    ),
    (
        "templates/create-rust-service/skeleton/src/main.rs",
        include_bytes!("../demo/templates/create-rust-service/skeleton/src/main.rs"),
    ),
    (
        "templates/create-rust-service/template.yaml",
        include_bytes!("../demo/templates/create-rust-service/template.yaml"),
    ),
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::{Component, Path};

    use super::DEMO_FILES;

    /// Collects the paths of all files under `dir`, relative to `root`, joined with `/`.
    fn files_on_disk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files_on_disk(root, &path, out);
            } else {
                let relative = path.strip_prefix(root).unwrap();
                let parts: Vec<_> = relative
                    .components()
                    .map(|part| part.as_os_str().to_str().unwrap().to_owned())
                    .collect();
                out.insert(parts.join("/"));
            }
        }
    }

    #[test]
    fn lists_exactly_the_files_of_the_demo_directory() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo");
        let mut on_disk = BTreeSet::new();
        files_on_disk(&root, &root, &mut on_disk);
        let listed: BTreeSet<String> = DEMO_FILES
            .iter()
            .map(|(path, _)| (*path).to_owned())
            .collect();

        assert_eq!(listed.len(), DEMO_FILES.len(), "a path is listed twice");
        let missing: Vec<_> = on_disk.difference(&listed).collect();
        let stale: Vec<_> = listed.difference(&on_disk).collect();
        assert!(
            missing.is_empty() && stale.is_empty(),
            "DEMO_FILES is out of date; add {missing:?}, remove {stale:?}"
        );
    }

    #[test]
    fn root_location_comes_first() {
        let (path, contents) = DEMO_FILES[0];
        assert_eq!(path, "catalog-info.yaml");
        let text = std::str::from_utf8(contents).unwrap();
        assert!(text.contains("kind: Location"));
        assert!(text.contains("name: demo-root"));
    }

    #[test]
    fn paths_stay_inside_the_demo_root() {
        for (path, contents) in DEMO_FILES {
            assert!(!contents.is_empty(), "{path} is empty");
            assert!(!path.contains('\\'), "{path} uses a backslash");
            assert!(
                Path::new(path)
                    .components()
                    .all(|part| matches!(part, Component::Normal(_))),
                "{path} is not a plain relative path"
            );
        }
    }
}
