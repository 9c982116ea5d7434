#!/usr/bin/env python3
"""The real-browser test of the page's address, lessons and activation gallery, in headless Chromium: a link with
settings and start=1 starts exactly that run; a link with a bad value shows the server's error and
starts nothing; the address follows the form, and a reload keeps the form and each run's colour; a
lesson's link starts its runs, and its verdict appears on the page and in the API when they are
over; controls=hide shows only the experiment; the gallery draws every activation with its
formula, from the server's values, and its slider redraws them; and the lesson and the gallery on
a phone's width. Screenshots go to the screenshot folder.

usage: lesson_page_test.py URL SCREENSHOT_FOLDER"""
import os, sys, time
from urllib.parse import urlsplit, parse_qs
from selenium.webdriver.common.by import By

import pagetools
from pagetools import browser, check, wait_for

URL, SHOTS = sys.argv[1:3]
pagetools.NAME = "lesson page test"
base = URL.rstrip("/")

def js(driver, script, *args):
    return driver.execute_script(script, *args)

def runs(driver):
    """This browser's person's runs in GET /api/runs (the server may hold other tests' runs too)."""
    return js(driver, "return fetch('/api/runs').then((r) => r.json()).then((a) => a.runs.filter((r) => r.mine))")

def error_line(driver):
    return js(driver, "const e = document.getElementById('train-error'); return e.hidden ? '' : e.textContent")

os.makedirs(SHOTS, exist_ok=True)
driver = browser(1300, 1000)
try:
    # A link with settings and start=1: one run with exactly those settings, started.
    driver.get(base + "/?activation=sigmoid&hidden=64x8&epochs=1&lr=0.5&seed=3&start=1")
    made = wait_for(driver, lambda d: [r for r in runs(d) if r["config"]["hidden"] == [64] * 8 and r["config"]["seed"] == 3],
                    "the linked run exists", 30)
    check(len(made) == 1, f"one run made by the link, not {len(made)}")
    config = made[0]["config"]
    check(config["activation"] == ["sigmoid"] and config["epochs"] == 1 and config["lr"] == 0.5,
          f"the run has the link's settings: {config}")
    query = lambda d: parse_qs(urlsplit(d.current_url).query)
    wait_for(driver, lambda d: "start" not in query(d) and query(d).get("activation") == ["sigmoid"],
             "the address keeps the form and drops start, so a reload starts nothing more")
    wait_for(driver, lambda d: js(d, "return play.runs.get(arguments[0])?.status", made[0]["id"]) in ("finished", "failed"),
             "the linked run ends", 60)
    colour = js(driver, "return play.runs.get(arguments[0]).colour", made[0]["id"])

    # The address follows the form.
    box = driver.find_element(By.ID, "f-epochs")
    box.clear()
    box.send_keys("3")
    wait_for(driver, lambda d: "epochs=3" in d.current_url, "the address follows an edited field")
    box.clear()
    box.send_keys("1")
    wait_for(driver, lambda d: "epochs=1" in d.current_url, "and again")

    # A reload keeps the form and the run's colour, and starts nothing.
    driver.refresh()
    wait_for(driver, lambda d: js(d, "return play.runs.size") >= 1, "the runs are listed after a reload", 15)
    form = js(driver, "return ['activation', 'hidden', 'epochs', 'lr', 'seed'].map((n) => document.getElementById('f-' + n).value)")
    check(form == ["sigmoid", "64x8", "1", "0.5", "3"], f"the reloaded form is the link's: {form}")
    check(js(driver, "return play.runs.get(arguments[0]).colour", made[0]["id"]) == colour, "the run keeps its colour")
    check(len(runs(driver)) == 1, "a reload started no run")

    # A bad value: the server's 400 on the page, and nothing starts.
    for link, field in (("/?activation=relu&epochs=0&start=1", "epochs"), ("/?activaton=relu&start=1", "activaton"),
                        ("/?hidden=64x&start=1", "hidden"), ("/?compare=lr:0.1&start=1", "compare")):
        driver.get(base + link)
        said = wait_for(driver, lambda d: error_line(d), f"{link} shows an error", 15)
        check(field in said and "cannot be opened" in said, f"{link}: the error names {field}: {said!r}")
        time.sleep(0.5)
        check(len(runs(driver)) == 1, f"{link} started nothing")

    # A lesson's link: its runs start, and its verdict comes from them (a tall window, for the pictures).
    driver.set_window_size(1300, 2000)
    driver.get(base + "/?lesson=vanishing-gradients&start=1")
    wait_for(driver, lambda d: d.find_element(By.ID, "lesson-card").is_displayed(), "the lesson card shows")
    check("Vanishing gradients" in js(driver, "return document.getElementById('lesson-title').textContent"), "the lesson's title")
    lesson_runs = wait_for(driver, lambda d: [r for r in runs(d) if r.get("lesson")], "the lesson's runs exist", 15)
    check(len(lesson_runs) == 4, f"the lesson started its four runs: {len(lesson_runs)}")
    time.sleep(1.5)
    driver.save_screenshot(os.path.join(SHOTS, "lesson-before.png"))
    verdicts = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#lesson-verdicts li"), "the verdict appears", 240)
    text = js(driver, "return document.querySelector('#lesson-verdicts li').textContent")
    check(text.startswith("held") and "sigmoid" in text, f"the lesson held, on evidence naming sigmoid: {text!r}")
    api = [r["lesson"].get("verdicts") for r in runs(driver) if r.get("lesson")]
    check(all(v and v[0]["verdict"] == "supported" for v in api), f"the API has the verdict in every run: {api}")
    focus = js(driver, "return play.runs.get(play.focus).title")
    check(focus.startswith("sigmoid 64x8"), f"the run to look inside is the one that shows the effect: {focus}")
    time.sleep(1)
    driver.save_screenshot(os.path.join(SHOTS, "lesson-after.png"))

    # For a projector: only the experiment, the same lesson's verdict after a reload.
    driver.get(base + "/?lesson=vanishing-gradients&controls=hide")
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#lesson-verdicts li"), "the verdict is shown again", 15)
    for hidden in ("train-form", "pad", "lesson-start", "run"):
        check(not driver.find_element(By.ID, hidden).is_displayed(), f"controls=hide hides #{hidden}")
    for shown in ("lesson-card", "chart-gradient", "runs"):
        check(driver.find_element(By.ID, shown).is_displayed(), f"controls=hide keeps #{shown}")
    driver.save_screenshot(os.path.join(SHOTS, "lesson-projector.png"))

    # The gallery, linked from the form's activation.
    driver.get(base + "/?activation=swish")
    wait_for(driver, lambda d: d.find_element(By.ID, "f-gallery").get_attribute("href").endswith("/gallery.html#swish"),
             "the form links its activation to the gallery")
    driver.set_window_size(1300, 1300)
    driver.get(base + "/gallery.html")
    served = js(driver, "return fetch('/api/activations').then((r) => r.json()).then((a) => a.activations)")
    wait_for(driver, lambda d: js(d, "return Object.keys(gallery.shown).length") == len(served), "every activation is drawn")
    for a in served:
        card = js(driver, """const s = document.getElementById(arguments[0]); return s && [!!s.querySelector('math'),
            s.querySelector('canvas').width, s.querySelector('.facts').textContent]""", a["name"])
        check(card and card[0], f"{a['name']} has a card with its formula in MathML")
        check(card[1] > 0 and a["init"] in card[2], f"{a['name']}'s curves are drawn and its starting weights said")
    # What is drawn is the server's values, which are Model's: σ(0) = ½, σ′(0) = ¼ at the middle sample.
    sigmoid = js(driver, "return gallery.shown.sigmoid.curve")
    middle = len(sigmoid["f"]) // 2
    check(abs(sigmoid["f"][middle] - 0.5) < 1e-6 and abs(sigmoid["df"][middle] - 0.25) < 1e-6, "sigmoid's curve is σ and σ′")
    # The slider asks again: LeakyReLU with α = 0.2 is −0.8 at x = −4.
    js(driver, """const s = document.querySelector('#leaky-relu input[type=range]'); s.value = '0.2';
        s.dispatchEvent(new Event('input'));""")
    wait_for(driver, lambda d: js(d, "return gallery.shown['leaky-relu'].parameter") == 0.2, "the slider redraws the curves")
    leaky = js(driver, "return gallery.shown['leaky-relu'].curve")
    api = js(driver, "return fetch('/api/activations?activation=leaky-relu:0.2').then((r) => r.json()).then((a) => a.activations[0].curve)")
    check(leaky == api and abs(leaky["f"][0] + 0.8) < 1e-6 and abs(leaky["df"][0] - 0.2) < 1e-6,
          f"the redrawn curve is the server's for α = 0.2: f(−4) = {leaky['f'][0]}")
    check(js(driver, "return document.querySelector('#leaky-relu output').textContent") == " = 0.2", "the slider says its value")
    driver.save_screenshot(os.path.join(SHOTS, "gallery.png"))
finally:
    driver.quit()

# A phone's width: the lesson reads, and nothing is wider than the screen.
phone = browser(390, 844, touch=True)
try:
    phone.get(base + "/?lesson=dying-relu")
    wait_for(phone, lambda d: d.find_element(By.ID, "lesson-card").is_displayed(), "the lesson shows on a phone")
    wide = js(phone, "return document.documentElement.scrollWidth - window.innerWidth")
    check(wide <= 1, f"nothing is wider than the phone's screen ({wide} px more)")
    phone.save_screenshot(os.path.join(SHOTS, "lesson-phone.png"))
    phone.get(base + "/gallery.html#gelu")
    wait_for(phone, lambda d: js(d, "return Object.keys(gallery.shown).length") > 10, "the gallery draws on a phone")
    wide = js(phone, "return document.documentElement.scrollWidth - window.innerWidth")
    check(wide <= 1, f"the gallery is no wider than the phone's screen ({wide} px more)")
    phone.save_screenshot(os.path.join(SHOTS, "gallery-phone.png"))
finally:
    phone.quit()
print(f"{pagetools.NAME}: {pagetools.checks} checks passed")
