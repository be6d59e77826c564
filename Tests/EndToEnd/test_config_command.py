"""`objectmail config` behaves like doveconf on the shipped and on broken configurations."""
import textwrap

from conftest import REPO


def test_version(run):
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip().count(".") == 2


def test_example_s3_config_prints_normalized_settings_without_secrets(run):
    result = run("config", "-n", "-c", "conf/examples/s3.conf")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("# ObjectMail ")
    assert "info_log_path = /var/log/objectmail/info.log" in lines
    assert "plugin {" in lines
    assert ("  obox_fs = fscache:1G:/var/cache/mails:s3:https://ACCESSKEY:#hidden@"
            "BUCKETNAME.s3.amazonaws.com/?region=us-east-1") in lines
    assert "SECRET" not in result.stdout
    # mail_debug = no is the default, so -n leaves it out.
    assert not any(line.startswith("mail_debug") for line in lines)


def test_show_secrets_and_named_settings(run):
    result = run("config", "-P", "-c", "conf/examples/s3.conf", "obox_index_fs", "mail_debug")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("obox_index_fs = compress:gz:6:s3:https://ACCESSKEY:SECRET@"
                             "BUCKETNAME.s3.amazonaws.com/?region=us-east-1\nmail_debug = no\n")


def test_all_lists_every_registered_setting_with_defaults(run):
    result = run("config", "-a", "-c", "conf/objectmail.conf")
    assert result.returncode == 0, result.stderr
    assert "mail_debug = no" in result.stdout
    assert "  obox_fs = fscache:512M:var/cache/mails:posix:var/objects" in result.stdout


def test_misspelt_setting_fails_with_file_line_and_suggestion(run, tmp_path):
    config = tmp_path / "bad.conf"
    config.write_text(textwrap.dedent("""\
        log_path = /dev/stderr
        plugin {
          obox_fs = posix:/tmp/x
          obox_indx_fs = posix:/tmp/y
        }
        """))
    result = run("config", "-n", "-c", str(config))
    assert result.returncode == 2
    assert result.stdout == ""
    assert (f"Error in configuration file {config} line 4: Unknown setting in section plugin: "
            "obox_indx_fs (did you mean obox_index_fs?)") in result.stderr


def test_bad_value_and_missing_file_fail_with_status_2(run, tmp_path):
    config = tmp_path / "bad.conf"
    config.write_text("mail_debug = perhaps\n")
    result = run("config", "-c", str(config))
    assert result.returncode == 2
    assert f"{config} line 1: Invalid value for mail_debug: must be yes or no, not 'perhaps'" in result.stderr

    result = run("config", "-c", str(tmp_path / "nothere.conf"))
    assert result.returncode == 2
    assert "nothere.conf: no such file" in result.stderr


def test_auth_mechanisms_default_is_dovecots_plain(run, tmp_path):
    config = tmp_path / "minimal.conf"
    config.write_text("protocols = imap\n")
    result = run("config", "-c", str(config), "auth_mechanisms")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "auth_mechanisms = plain\n"


def test_mail_fsync_takes_dovecots_three_modes_and_refuses_others(run, tmp_path):
    config = tmp_path / "fsync.conf"
    for mode in ("always", "optimized", "never"):
        config.write_text(f"mail_fsync = {mode}\n")
        result = run("config", "-n", "-c", str(config))
        assert result.returncode == 0, result.stderr
        # optimized is Dovecot's default, so -n leaves it out.
        assert (f"mail_fsync = {mode}" in result.stdout.splitlines()) == (mode != "optimized"), result.stdout
    config.write_text("mail_fsync = sometimes\n")
    result = run("config", "-n", "-c", str(config))
    assert result.returncode == 2
    assert f"{config} line 1: Invalid value for mail_fsync" in result.stderr, result.stderr
    assert "must be one of always, optimized, never, not 'sometimes'" in result.stderr, result.stderr
    # Both are honoured now: config -a no longer marks them as accepted without effect.
    lines = run("config", "-a", "-c", "conf/objectmail.conf").stdout.splitlines()
    for setting in ("mail_fsync = optimized", "verbose_proctitle = no"):
        assert setting in lines
        assert not lines[lines.index(setting) - 1].startswith("# accepted without effect"), setting
