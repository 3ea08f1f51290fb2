use std::process::Command;

use super::*;

fn git(args: &[&str], dir: &Path) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn bare() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(&["init", "--quiet", "--bare", "."], dir.path());
    dir
}

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("repo/src")).unwrap();
    std::fs::write(dir.path().join("repo/README.md"), "# payments\n").unwrap();
    std::fs::write(dir.path().join("repo/src/main.rs"), "fn main() {}\n").unwrap();
    std::fs::write(dir.path().join("other.txt"), "not published\n").unwrap();
    dir
}

#[test]
fn the_workspace_becomes_the_first_commit_of_the_remote() {
    let remote = bare();
    let workspace = workspace();
    let request = PublishGit {
        source_path: Some("repo".to_owned()),
        author_name: "Ada".to_owned(),
        author_email: "ada@example.com".to_owned(),
        commit_message: "Create payments".to_owned(),
        ..PublishGit::to(remote.path().display().to_string())
    };
    let published = publish_git(workspace.path(), &request).unwrap();
    assert_eq!(published.default_branch, "main");
    let head = git(&["rev-parse", "refs/heads/main"], remote.path());
    assert_eq!(published.commit_hash, head);
    let files = git(&["ls-tree", "-r", "--name-only", "main"], remote.path());
    assert_eq!(files, "README.md\nsrc/main.rs");
    assert_eq!(
        git(
            &["log", "-1", "--format=%an <%ae> %s", "main"],
            remote.path()
        ),
        "Ada <ada@example.com> Create payments"
    );
    // The workspace gained no repository.
    assert!(!workspace.path().join("repo/.git").exists());

    // Publishing other content to the same branch is refused, not forced.
    std::fs::write(workspace.path().join("repo/README.md"), "# changed\n").unwrap();
    let again = publish_git(workspace.path(), &request)
        .unwrap_err()
        .to_string();
    assert!(again.starts_with("could not push to "), "{again}");
    assert_eq!(git(&["rev-parse", "refs/heads/main"], remote.path()), head);
}

#[test]
fn file_urls_and_branches() {
    let remote = bare();
    let workspace = workspace();
    let request = PublishGit {
        default_branch: "trunk".to_owned(),
        ..PublishGit::to(format!("file://{}", remote.path().display()))
    };
    publish_git(workspace.path(), &request).unwrap();
    let files = git(&["ls-tree", "-r", "--name-only", "trunk"], remote.path());
    assert!(
        files.contains("repo/README.md") && files.contains("other.txt"),
        "{files}"
    );
}

#[test]
fn bad_inputs_are_refused_before_git_runs() {
    let workspace = workspace();
    let cases = [
        (PublishGit::to("--upload-pack=touch /tmp/x"), "remoteUrl"),
        (PublishGit::to("ext::sh -c touch% /tmp/x"), "remoteUrl"),
        (PublishGit::to("relative/path"), "remoteUrl"),
        (PublishGit::to("ftp://example.com/x"), "remoteUrl"),
        (
            PublishGit {
                source_path: Some("../outside".to_owned()),
                ..PublishGit::to("/tmp/x.git")
            },
            "sourcePath",
        ),
        (
            PublishGit {
                default_branch: "--force".to_owned(),
                ..PublishGit::to("/tmp/x.git")
            },
            "defaultBranch",
        ),
    ];
    for (request, field) in cases {
        let error = publish_git(workspace.path(), &request).unwrap_err();
        assert!(
            matches!(&error, PublishError::Input { field: f, .. } if *f == field),
            "{request:?}: {error}"
        );
    }
    assert!(check_remote("git@github.com:acme/payments.git").is_ok());
    assert!(check_remote("https://github.com/acme/payments.git").is_ok());
}

#[test]
fn tokens_never_appear_in_errors() {
    let workspace = workspace();
    let request = PublishGit {
        token: Some("s3cret-token".to_owned()),
        ..PublishGit::to("http://127.0.0.1:9/s3cret-token/repo.git")
    };
    let error = publish_git(workspace.path(), &request)
        .unwrap_err()
        .to_string();
    assert!(error.contains("could not push"), "{error}");
    assert!(!error.contains("s3cret-token"), "{error}");
}
