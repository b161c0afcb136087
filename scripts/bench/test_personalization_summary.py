#!/usr/bin/env python3
"""Tests of personalization_summary.py on hand-built reports: python3 scripts/bench/test_personalization_summary.py"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import personalization_summary as ps  # noqa: E402


def acc(a):
    return {"accuracy": a, "ci_low": a - 0.1, "ci_high": a + 0.1, "n_pairs": 40, "n_users": 10}


def win(w, low, n=40, users=10):
    return {"win_rate": w, "ci_low": low, "ci_high": w + 0.1, "n": n, "n_users": users}


def report(fspo4=0.9, fspo8=0.95, cot_win=0.85):
    return {
        "reward_accuracy": {
            "fspo": {"0": acc(0.5), "4": acc(fspo4), "8": acc(fspo8)},
            "fspo_cot": {"0": acc(0.5), "4": acc(0.86), "8": acc(0.9)},
            "pref_ft": {"0": acc(0.5), "4": acc(0.5), "8": acc(0.5)},
            "population": {"0": acc(0.5), "4": acc(0.5), "8": acc(0.5)},
            "oracle": {"0": acc(0.9), "4": acc(0.95), "8": acc(0.96)},
        },
        "win_rate": {
            "fspo": {"4": win(0.8, 0.7)},
            "fspo_cot": {"4": win(cot_win, 0.75)},
            "pref_ft": {"4": win(0.5, 0.4)},
            "oracle": {"4": win(0.9, 0.8)},
        },
        "win_rate_baseline": "population",
        "well_formed_rate": {"fspo": 0.99},
        "run": "x",
    }


class SummaryTest(unittest.TestCase):
    def bars(self, summary):
        return {b["name"]: b["pass"] for b in summary["bars"]}

    def test_a_report_meeting_every_bar_passes_all(self):
        s = ps.summarize(report(), "r/report.json", wall_s=100)
        self.assertTrue(s["all_pass"], s["bars"])
        self.assertEqual(os.path.abspath("r/report.json"), s["report"])
        self.assertEqual({"fspo_gt_pref_ft": True, "fspo_gt_population": True, "cot_ge_fspo": True,
                          "oracle_on_top": True}, {k: v for k, v in s["ordering"].items() if k != "metric"})
        self.assertAlmostEqual(0.4, [b for b in s["bars"] if "4 shots - 0" in b["name"]][0]["value"])
        self.assertEqual({"fspo": 0.99}, s["well_formed_rate"])  # optional report fields are copied
        self.assertNotIn("run", s)

    def test_each_missed_bar_fails_alone(self):
        s = ps.summarize(report(fspo4=0.84), "r.json")
        failed = [n for n, ok in self.bars(s).items() if not ok]
        self.assertEqual(["fspo reward accuracy at 4 shots >= 0.85"], failed)
        s = ps.summarize(report(cot_win=0.79), "r.json")
        self.assertEqual(["ordering (win rate at 4 shots): cot_ge_fspo"],
                         [n for n, ok in self.bars(s).items() if not ok])
        self.assertFalse(ps.summarize(report(), "r.json", wall_s=2701)["all_pass"])

    def test_missing_figures_are_null_and_fail(self):
        r = report()
        del r["win_rate"]
        del r["reward_accuracy"]["fspo"]["8"]
        s = ps.summarize(r, "r.json")
        self.assertIsNone(s["reward_accuracy"]["fspo"]["8"])
        self.assertIsNone(s["ordering"]["cot_ge_fspo"])
        self.assertFalse(s["all_pass"])
        self.assertFalse(self.bars(s)["fspo win rate at 4 shots >= 0.75"])

    def test_a_report_without_win_rates_has_a_null_baseline_and_fails_those_bars(self):
        r = report()
        del r["win_rate"]
        r["win_rate_baseline"] = None  # what report.json holds with eval.win_rate.enabled false
        s = ps.summarize(r, "r.json")
        self.assertEqual("population", s["win_rate_baseline"])
        self.assertTrue(self.bars(s)["fspo reward accuracy at 8 shots >= 0.90"])
        self.assertFalse(self.bars(s)["fspo win-rate 95% CI low > 0.5"])

    def test_command_line_writes_out_json_and_names_a_missing_report(self):
        with tempfile.TemporaryDirectory() as d:
            rp, op = os.path.join(d, "report.json"), os.path.join(d, "out.json")
            with open(rp, "w") as f:
                json.dump(report(), f)
            script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "personalization_summary.py")
            subprocess.run([sys.executable, script, rp, op, "--wall-s", "60"], check=True)
            with open(op) as f:
                self.assertTrue(json.load(f)["all_pass"])
            gone = subprocess.run([sys.executable, script, os.path.join(d, "none.json"), op],
                                  capture_output=True, text=True)
            self.assertEqual(66, gone.returncode)
            self.assertEqual(1, len(gone.stderr.strip().splitlines()), gone.stderr)
            self.assertIn("none.json", gone.stderr)


if __name__ == "__main__":
    unittest.main()
