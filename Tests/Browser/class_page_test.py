#!/usr/bin/env python3
"""The real-browser test of a server shared with a class (`serve --host 0.0.0.0`), in headless
Chromium, two browsers with cookie jars of their own: without the key the page says what to do;
the class's link opens it (and leaves the address bar); a comparison past the per-person cap is
refused with the cap named on the page; a run trains; the other student sees it only among
"everyone's runs", read-only, with its owner, and their own table stays theirs.

usage: class_page_test.py URL CLASS_KEY SCREENSHOT_FOLDER
Needs a server started with --host 0.0.0.0 --max-runs-per-person 2 and a runs folder of its own."""
import os, sys
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import pagetools
from pagetools import browser, check, press, texts, wait_for

URL, KEY, SHOTS = sys.argv[1:4]
pagetools.NAME = "class page test"
os.makedirs(SHOTS, exist_ok=True)

def errors(driver):
    # A 401 before the key and the 429 the test provokes are answers the page shows; nothing else may fail.
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"
            and " 401 " not in e["message"] and " 429 " not in e["message"]]

ada, bo = browser(1300, 1000), browser(1300, 1000)
try:
    ada.get(URL)
    wait_for(ada, lambda d: "asks for its key" in d.find_element(By.ID, "summary").text, "without the key, the page says to open the link")
    check(not ada.find_element(By.ID, "train").is_displayed(), "the Train panel is hidden without the key")

    ada.get(URL + "?key=" + KEY)
    wait_for(ada, lambda d: "key=" not in d.current_url, "the key leaves the address bar")
    wait_for(ada, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#f-activation option")) >= 10, "with the key, the Train panel is built")
    wait_for(ada, lambda d: "test accuracy" in d.find_element(By.ID, "summary").text, "the model card is read")
    check("2 runs queued or active" in ada.find_element(By.ID, "sharing").text, "the page says the per-person cap")

    # Three seeds at once: past this server's cap of two; the page names the cap and keeps nothing.
    Select(ada.find_element(By.ID, "f-vary")).select_by_value("seed")
    press(ada, "#run", "Run")
    wait_for(ada, lambda d: "--max-runs-per-person" in d.find_element(By.ID, "train-error").text, "the 429 names its cap on the page")
    wait_for(ada, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#runs tbody tr[data-run]")) == 0, "the comparison's first runs were taken back")
    ada.execute_script("document.getElementById('train').scrollIntoView()")
    ada.save_screenshot(os.path.join(SHOTS, "class-cap.png"))

    # One run of her own, trained: her table shows it with its buttons.
    Select(ada.find_element(By.ID, "f-vary")).select_by_value("")
    ada.find_element(By.ID, "f-epochs").clear()
    ada.find_element(By.ID, "f-epochs").send_keys("1")
    press(ada, "#run", "Run")
    wait_for(ada, lambda d: "finished" in " ".join(texts(d, "#runs tbody td:nth-child(3)")), "Ada's run finishes", timeout=120)
    check(ada.find_elements(By.CSS_SELECTOR, "#runs tbody button[data-action=delete]"), "her own run has a Delete button")

    # Bo: another browser, another person. His table is his; the class's runs are one tick away, read-only.
    bo.get(URL + "?key=" + KEY)
    wait_for(bo, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#f-activation option")) >= 10, "Bo's page is built")
    wait_for(bo, lambda d: d.find_element(By.ID, "everyone").is_displayed(), "Bo is offered everyone's runs")
    check(len(bo.find_elements(By.CSS_SELECTOR, "#runs tbody tr[data-run]")) == 0, "Bo's own table lists no one else's run")
    check("(1)" in bo.find_element(By.ID, "everyone").text, f"one run of the class is left out: {bo.find_element(By.ID, 'everyone').text!r}")
    bo.find_element(By.ID, "everyone-box").click()
    wait_for(bo, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#runs tbody tr[data-run]")) == 1, "ticking shows Ada's run")
    check(not bo.find_elements(By.CSS_SELECTOR, "#runs tbody button"), "Ada's run has no buttons on Bo's page")
    owner = texts(bo, "#runs tbody .owner")
    check(len(owner) == 1 and len(owner[0].strip(" ·")) == 6, f"the run names its owner by six hex digits: {owner}")
    bo.execute_script("document.getElementById('runs-card').scrollIntoView()")
    bo.save_screenshot(os.path.join(SHOTS, "class-everyone.png"))

    for driver, who in ((ada, "Ada"), (bo, "Bo")):
        severe = errors(driver)
        check(not severe, f"{who}'s console has errors: {severe}")
    print(f"class page test: {pagetools.checks} checks passed; screenshots in {SHOTS}")
finally:
    ada.quit()
    bo.quit()
