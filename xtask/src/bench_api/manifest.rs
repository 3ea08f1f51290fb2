//! What the benchmark knows about a generated catalog before asking the
//! server: `manifest.json` (counts per kind, sample entities, the full-text
//! word) and component names read from the generated files themselves, so
//! that by-name requests spread over the whole catalog instead of hitting
//! the same few rows.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The parts of `manifest.json` the benchmark uses.
#[derive(Debug, Deserialize)]
pub struct Manifest {
    /// Every entity written, the root Location included.
    pub entities: u64,
    /// Entities per kind (`Component`, `API`, …).
    pub counts: BTreeMap<String, u64>,
    /// The root Location file, relative to the catalog folder.
    pub root_location: String,
    pub sample: Sample,
}

#[derive(Debug, Deserialize)]
pub struct Sample {
    /// A service with APIs and dependencies.
    pub component: String,
    /// A word that occurs in the names of `search_word_component_count`
    /// components (and of some APIs and resources).
    pub search_word: String,
    pub search_word_component_count: u64,
}

/// Reads `dir/manifest.json`.
pub fn read(dir: &Path) -> Result<Manifest> {
    let path = dir.join("manifest.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// Up to `want` distinct component names: the manifest's sample component,
/// then names read from catalog files spread evenly over the root
/// Location's target list.
pub fn component_names(dir: &Path, manifest: &Manifest, want: usize) -> Result<Vec<String>> {
    let root = dir.join(&manifest.root_location);
    let text =
        std::fs::read_to_string(&root).with_context(|| format!("reading {}", root.display()))?;
    let targets = location_targets(&text);
    if targets.is_empty() {
        bail!("{} lists no targets", root.display());
    }
    // Components are about 60% of the entities and most files hold one, so
    // reading twice as many files as names wanted is nearly always enough;
    // a second, denser pass covers the rest.
    let mut names = vec![manifest.sample.component.clone()];
    let mut seen: std::collections::HashSet<String> = names.iter().cloned().collect();
    for step in [(targets.len() / (want * 2).max(1)).max(1), 1] {
        for target in targets.iter().step_by(step) {
            if names.len() >= want {
                return Ok(names);
            }
            let path = dir.join(target);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            for name in component_names_in(&text) {
                if seen.insert(name.clone()) {
                    names.push(name);
                }
            }
        }
    }
    Ok(names)
}

/// The `spec.targets` of the generator's root Location (`- ./repos/…`).
fn location_targets(yaml: &str) -> Vec<String> {
    yaml.lines()
        .filter_map(|line| line.trim_start().strip_prefix("- "))
        .map(unquote)
        .filter(|target| target.ends_with(".yaml"))
        .collect()
}

/// `metadata.name` of every `kind: Component` document in a file written by
/// the generator's block emitter (top-level keys unindented, `name` the
/// first key of `metadata`, documents separated by `---`).
fn component_names_in(yaml: &str) -> Vec<String> {
    let mut names = Vec::new();
    for document in yaml.split("\n---\n") {
        let mut is_component = false;
        let mut in_metadata = false;
        let mut name = None;
        for line in document.lines() {
            if !line.starts_with(' ') {
                in_metadata = line == "metadata:";
                if line == "kind: Component" {
                    is_component = true;
                }
            } else if in_metadata && let Some(value) = line.strip_prefix("  name: ") {
                name = Some(unquote(value));
            }
        }
        if is_component && let Some(name) = name {
            names.push(name);
        }
    }
    names
}

/// A scalar as the emitter writes it: plain, or a JSON double-quoted string.
fn unquote(value: &str) -> String {
    let value = value.trim();
    if value.starts_with('"') {
        serde_json::from_str(value).unwrap_or_else(|_| value.to_owned())
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPO: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: rapid-checkout-processor
  title: Rapid Checkout Processor
  annotations:
    backstage.io/techdocs-ref: dir:.
spec:
  type: service
  owner: team-a
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: checkout-admin-api
spec:
  type: openapi
  definition: |
    info:
      name: not-this-one
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: \"1234\"
spec:
  type: library
";

    #[test]
    fn finds_component_names_only() {
        assert_eq!(
            component_names_in(REPO),
            vec!["rapid-checkout-processor".to_owned(), "1234".to_owned()]
        );
    }

    #[test]
    fn reads_root_location_targets() {
        let root = "\
apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: synthetic-root
spec:
  type: file
  targets:
    - ./repos/org/catalog-info.yaml
    - ./repos/team-a/catalog-info.yaml
";
        assert_eq!(
            location_targets(root),
            vec![
                "./repos/org/catalog-info.yaml".to_owned(),
                "./repos/team-a/catalog-info.yaml".to_owned()
            ]
        );
    }

    #[test]
    fn reads_a_generated_catalog() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("manifest.json"),
            r#"{"entities": 4, "counts": {"Component": 2, "API": 1, "Location": 1},
                "root_location": "all.yaml", "seed": 42,
                "sample": {"component": "rapid-checkout-processor", "search_word": "checkout",
                           "search_word_component_count": 1, "services": []}}"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("all.yaml"),
            "kind: Location\nspec:\n  targets:\n    - ./repos/a/catalog-info.yaml\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("repos/a")).unwrap();
        std::fs::write(dir.path().join("repos/a/catalog-info.yaml"), REPO).unwrap();

        let manifest = read(dir.path()).unwrap();
        assert_eq!(manifest.entities, 4);
        assert_eq!(manifest.counts["Component"], 2);
        assert_eq!(manifest.sample.search_word, "checkout");
        assert_eq!(
            component_names(dir.path(), &manifest, 10).unwrap(),
            vec!["rapid-checkout-processor".to_owned(), "1234".to_owned()]
        );
        assert_eq!(component_names(dir.path(), &manifest, 1).unwrap().len(), 1);
    }
}
