"""What the browser tests share: a headless Chromium through Debian's chromedriver, checks that
stop at the first failure with a reason, waiting, and drawing on the pad with W3C pointer actions."""
import math, os, sys
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.actions.pointer_input import PointerInput
from selenium.webdriver.common.actions import interaction
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from selenium.common.exceptions import StaleElementReferenceException

NAME = "browser test"  # each test names itself in its failures
checks = 0

def check(condition, what):
    global checks
    if not condition:
        print(f"{NAME}: FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    checks += 1

def browser(width, height, touch=False):
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 f"--window-size={width},{height}", "--disable-extensions", "--no-first-run"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if touch:
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 3, "touch": True}})
    binary = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
    return webdriver.Chrome(service=Service(executable_path=binary), options=options)

def wait_for(driver, condition, what, timeout=10):
    global checks
    try:
        # The page re-renders lists and grids as events arrive: an element found a moment ago may be
        # gone by the time it is read, which only means "look again".
        result = WebDriverWait(driver, timeout, poll_frequency=0.05,
                               ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: condition(d))
        checks += 1
        return result
    except Exception:
        state = driver.execute_script("const v = document.getElementById('verdict'); return [v.dataset.state, document.getElementById('digit').textContent, document.getElementById('detail').textContent]")
        check(False, f"{what} (page shows state={state[0]!r} digit={state[1]!r} detail={state[2]!r})")

def press(driver, css, what, timeout=10):
    """Clicks the element matching css, looking it up again if a re-render replaced it meanwhile."""
    wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, css).click() or True, what, timeout)

def texts(driver, css):
    """The text of every element matching css, read in one step (no element can go stale midway)."""
    return driver.execute_script("return [...document.querySelectorAll(arguments[0])].map((e) => e.textContent)", css)

def draw(driver, strokes, kind="mouse"):
    """Draws strokes given in pad coordinates (0..280), each a list of (x, y) points."""
    pad = driver.find_element(By.ID, "pad")
    box = pad.rect
    scale = box["width"] / 280
    pointer = PointerInput(interaction.POINTER_TOUCH if kind == "touch" else interaction.POINTER_MOUSE, kind)
    actions = ActionBuilder(driver, mouse=pointer, duration=10)
    for stroke in strokes:
        def offset(p):  # offsets from the element's centre, as the W3C actions take them
            return int(p[0] * scale - box["width"] / 2), int(p[1] * scale - box["height"] / 2)
        x, y = offset(stroke[0])
        actions.pointer_action.move_to(pad, x, y)
        actions.pointer_action.pointer_down()
        for p in stroke[1:]:
            x, y = offset(p)
            actions.pointer_action.move_to(pad, x, y)
        actions.pointer_action.pointer_up()
    actions.perform()

def line(a, b, steps=12):
    return [(a[0] + (b[0] - a[0]) * i / steps, a[1] + (b[1] - a[1]) * i / steps) for i in range(steps + 1)]

ONE = [line((150, 45), (138, 235))]
ZERO = [[(140 + 62 * math.sin(2 * math.pi * i / 32), 140 - 92 * math.cos(2 * math.pi * i / 32)) for i in range(33)]]
SEVEN = [line((70, 55), (210, 55), 10) + line((210, 55), (120, 240), 14)]
