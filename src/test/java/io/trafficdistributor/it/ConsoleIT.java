package io.trafficdistributor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.trafficdistributor.support.TestBackend;

/**
 * The web console in a real Chromium (Debian's {@code chromium} and {@code chromium-driver}) against the packaged
 * service with an admin token, real backends and the real proxy listener: what a person does with it, checked
 * through the API and the proxy. Saves screenshots of the main pages to {@code target/console-screenshots}
 * (the README's are copies of them in {@code docs/console}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    static final int FILLERS = 240;

    static TestBackend blue;
    static TestBackend green;
    static TestBackend primary;
    static TestBackend backup;
    static TestBackend third;
    static ServiceProcess service;
    static ChromeDriver browser;
    static WebDriverWait wait;
    static Path profile;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "ConsoleIT needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does)");
        blue = TestBackend.start("blue");
        green = TestBackend.start("green");
        primary = TestBackend.start("primary");
        backup = TestBackend.start("backup");
        third = TestBackend.start("third");
        service = ServiceProcess.start("console", Map.of());
        service.create("""
                {"name":"shop","hostnames":["shop.test","*.shop.test"],"backends":[
                  {"name":"blue","url":"%s","weight":50},{"name":"green","url":"%s","weight":50}]}"""
                .formatted(blue.url(), green.url()));
        service.create("""
                {"name":"ha","hostnames":["ha.test"],"routing":"FAILOVER","backends":[
                  {"name":"primary","url":"%s"},{"name":"backup","url":"%s"}],
                 "healthCheck":{"path":"/health","intervalSeconds":1,"timeoutMillis":500,"unhealthyThreshold":2,"healthyThreshold":1},
                 "timeouts":{"connectMillis":500}}""".formatted(primary.url(), backup.url()));
        service.create("""
                {"name":"trio","hostnames":["trio.test"],"backends":[
                  {"name":"blue","url":"%s"},{"name":"green","url":"%s"},{"name":"third","url":"%s"}]}"""
                .formatted(blue.url(), green.url(), third.url()));
        // Many others around them, so finding one is a search over more than a page.
        for (int i = 0; i < FILLERS; i++) {
            service.create("""
                    {"name":"site-%03d","hostnames":["site-%03d.example.test"],"backends":[{"name":"a","url":"%s"}],
                     "healthCheck":{"enabled":false}}""".formatted(i, i, blue.url()));
        }
        Files.createDirectories(SCREENSHOTS);
        profile = Files.createTempDirectory("td-console-chromium");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments(
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1000", "--user-data-dir=" + profile);
        // The driver's path set here, so Selenium Manager never looks for one on the network.
        ChromeDriverService driver = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(driver, options);
        wait = waiting(Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        for (AutoCloseable closeable : new AutoCloseable[] { service, blue, green, primary, backup, third }) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    /** A wait that looks again when the element it found was replaced meanwhile (the live parts re-render every 2 s). */
    static WebDriverWait waiting(Duration timeout) {
        WebDriverWait wait = new WebDriverWait(browser, timeout);
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    static String console(String hash) {
        return "http://127.0.0.1:" + service.adminPort + "/" + hash;
    }

    static WebElement visible(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    static void screenshot(String name) throws Exception {
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** The weights the API has now for a distributor's backends, in order. */
    static List<Integer> weights(String distributor) throws Exception {
        HttpResponse<String> got = service.admin("GET", "/api/v1/distributors/" + distributor, null);
        assertEquals(200, got.statusCode(), got.body());
        List<Integer> weights = new ArrayList<>();
        Matcher weight = Pattern.compile("\"weight\":(\\d+)").matcher(got.body());
        while (weight.find()) {
            weights.add(Integer.parseInt(weight.group(1)));
        }
        return weights;
    }

    /** Who answered {@code n} consecutive requests for shop through the proxy: [blue, green]. */
    static int[] answers(int n) throws Exception {
        return answers("shop.test", n);
    }

    /** Who answered {@code n} consecutive requests for {@code host} through the proxy: [blue, green]. */
    static int[] answers(String host, int n) throws Exception {
        int[] counts = new int[2];
        for (int i = 0; i < n; i++) {
            HttpResponse<String> response = service.proxy(host, "/");
            assertEquals(200, response.statusCode(), response.body());
            counts[response.body().equals("blue") ? 0 : 1]++;
        }
        return counts;
    }

    /** Opens shop's page afresh (by way of the list: the same URL again would keep the page already shown). */
    static void openShop() {
        browser.get(console("#/"));
        visible(By.id("search"));
        browser.get(console("#/d/shop"));
        visible(By.id("ratio"));
    }

    @Test
    @Order(1)
    void asksForTheTokenOnceAndKeepsItInTheSessionOnly() throws Exception {
        browser.get(console(""));
        WebElement input = visible(By.id("token-input"));
        input.sendKeys("not-the-token", Keys.ENTER);
        // A refused token: asked again, saying so.
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token-error")));
        visible(By.id("token-input")).sendKeys(ServiceProcess.TOKEN, Keys.ENTER);
        WebElement count = visible(By.cssSelector(".pager .count"));
        assertEquals("1–50 of " + (FILLERS + 3), count.getText());
        screenshot("list");

        browser.navigate().refresh();
        visible(By.cssSelector(".pager .count"));
        assertFalse(browser.findElement(By.id("token-dialog")).isDisplayed(), "asked once per browser session");
        JavascriptExecutor js = browser;
        assertEquals(ServiceProcess.TOKEN, js.executeScript("return sessionStorage.getItem('td.admin-token')"));
        assertEquals(0L, js.executeScript("return localStorage.length"), "nothing outlives the session");
        assertNull(js.executeScript("return document.cookie || null"));
    }

    @Test
    @Order(2)
    void findsADistributorAmongMany() {
        browser.get(console("#/"));
        visible(By.id("search")).sendKeys("sho");
        wait.until(ExpectedConditions.textToBe(By.cssSelector(".pager .count"), "1–1 of 1"));
        // By a hostname's start as well
        WebElement search = browser.findElement(By.id("search"));
        search.clear();
        search.sendKeys("site-123.ex");
        wait.until(ExpectedConditions.textToBe(By.cssSelector("table.list tbody a"), "site-123"));
        assertEquals("1–1 of 1", browser.findElement(By.cssSelector(".pager .count")).getText());
        search.clear();
        search.sendKeys("shop.");
        wait.until(ExpectedConditions.textToBe(By.cssSelector("table.list tbody a"), "shop"));
        browser.findElement(By.cssSelector("table.list tbody a")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "shop"));
        visible(By.id("ratio"));
    }

    @Test
    @Order(3)
    void movesTheSliderWithTheKeyboardAndTheProxyFollows() throws Exception {
        openShop();
        WebElement slider = browser.findElement(By.id("ratio"));
        assertEquals("50", slider.getAttribute("value"));
        for (int i = 0; i < 20; i++) {
            slider.sendKeys(Keys.ARROW_RIGHT);
        }
        assertEquals("New traffic: blue 70% · green 30%", browser.findElement(By.id("ratio-preview")).getText());
        assertEquals(List.of(50, 50), weights("shop"), "nothing saved before Save");
        browser.findElement(By.id("save-ratio")).sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".message.ok"), "Traffic ratio saved"));

        assertEquals(List.of(70, 30), weights("shop"));
        int[] counts = answers(100);
        assertEquals(70, counts[0], "blue");
        assertEquals(30, counts[1], "green");
        wait.until(ExpectedConditions.textToBe(By.cssSelector("tr[data-backend=blue] td.share"), "70%"));
    }

    @Test
    @Order(4)
    void swapsTheTwoWeights() throws Exception {
        openShop();
        browser.findElement(By.id("swap")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".message.ok"), "Weights swapped"));
        assertEquals(List.of(30, 70), weights("shop"));
        int[] counts = answers(10);
        assertEquals(3, counts[0], "blue");
        assertEquals(7, counts[1], "green");
        assertEquals("30", browser.findElement(By.id("ratio")).getAttribute("value"));
    }

    @Test
    @Order(5)
    void aStaleEditShowsTheConflictAndOverwritesNothing() throws Exception {
        openShop();
        // Someone else changes the weights after the page read them.
        HttpResponse<String> other = service.admin("PUT", "/api/v1/distributors/shop", """
                {"hostnames":["shop.test","*.shop.test"],"backends":[
                  {"name":"blue","url":"%s","weight":10},{"name":"green","url":"%s","weight":90}]}"""
                .formatted(blue.url(), green.url()));
        assertEquals(200, other.statusCode(), other.body());

        WebElement slider = browser.findElement(By.id("ratio"));
        slider.sendKeys(Keys.END);
        browser.findElement(By.id("save-ratio")).click();
        WebElement conflict = visible(By.cssSelector(".message.conflict"));
        assertTrue(conflict.getText().startsWith("Changed by someone else — reload"), conflict.getText());
        assertEquals(List.of(10, 90), weights("shop"), "the other change stands");
        screenshot("conflict");

        browser.findElement(By.id("reload")).click();
        wait.until(ExpectedConditions.attributeToBe(By.id("ratio"), "value", "10"));
    }

    @Test
    @Order(6)
    void aStoppedBackendTurnsDownAndTheActiveBackendChangesWithinTheProbeTime() throws Exception {
        browser.get(console("#/d/ha"));
        wait.until(ExpectedConditions.textToBe(By.id("active-backend"), "primary"));
        wait.until(ExpectedConditions.textToBe(By.cssSelector("tr[data-backend=primary] td.health"), "UP"));
        primary.stop();
        try {
            // Probed every second, DOWN after 2 failures; the page polls every 2 s.
            WebDriverWait probeTime = waiting(Duration.ofSeconds(8));
            probeTime.until(ExpectedConditions.textToBe(By.cssSelector("tr[data-backend=primary] td.health"), "DOWN"));
            probeTime.until(ExpectedConditions.textToBe(By.id("active-backend"), "backup"));
            wait.until(ExpectedConditions.textToBe(By.cssSelector("tr[data-backend=backup] td.share"), "100%"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("ol.transitions li"),
                    "primary UP → DOWN"));
            assertEquals("backup", service.proxy("ha.test", "/").body());
            screenshot("failover");
        } finally {
            primary.start();
        }
        // Swap for FAILOVER: primary and backup change places.
        wait.until(ExpectedConditions.textToBe(By.id("active-backend"), "primary"));
        browser.findElement(By.id("swap")).click();
        wait.until(ExpectedConditions.textToBe(By.id("active-backend"), "backup"));
        assertEquals("backup", service.proxy("ha.test", "/").body());
    }

    @Test
    @Order(7)
    void aFormErrorAppearsAtItsField() throws Exception {
        browser.get(console("#/new"));
        visible(By.id("name")).sendKeys("Not A Name");
        browser.findElement(By.id("hostnames")).sendKeys("new.test");
        browser.findElement(By.id("backend-0-name")).sendKeys("one");
        browser.findElement(By.id("backend-0-url")).sendKeys("ftp://10.0.0.1");
        browser.findElement(By.id("backend-1-name")).sendKeys("two");
        browser.findElement(By.id("backend-1-url")).sendKeys("http://10.0.0.2:8080");
        browser.findElement(By.id("save")).click();

        WebElement nameError = visible(By.id("name-error"));
        assertTrue(nameError.getText().startsWith("must be 1 to 63 lower-case letters"), nameError.getText());
        assertEquals("true", browser.findElement(By.id("name")).getAttribute("aria-invalid"));
        WebElement urlError = visible(By.id("backend-0-url-error"));
        assertFalse(urlError.getText().isBlank());
        assertFalse(browser.findElement(By.id("backend-1-url-error")).isDisplayed(), "only the bad field shows an error");
        browser.executeScript("window.scrollTo(0, 0)");
        screenshot("form-errors");

        // Corrected, it is created.
        WebElement name = browser.findElement(By.id("name"));
        name.clear();
        name.sendKeys("new-one");
        WebElement url = browser.findElement(By.id("backend-0-url"));
        url.clear();
        url.sendKeys("http://10.0.0.1:8080");
        browser.findElement(By.id("save")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "new-one"));
        assertEquals(200, service.admin("GET", "/api/v1/distributors/new-one", null).statusCode());
    }

    @Test
    @Order(8)
    void theDetailPageChartsTheTrafficPerBackend() throws Exception {
        service.admin("PUT", "/api/v1/distributors/shop", """
                {"hostnames":["shop.test","*.shop.test"],"backends":[
                  {"name":"blue","url":"%s","weight":70},{"name":"green","url":"%s","weight":30}]}"""
                .formatted(blue.url(), green.url()));
        openShop();
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread traffic = new Thread(() -> {
            while (sending.get()) {
                try {
                    service.proxy("shop.test", "/");
                    Thread.sleep(20);
                } catch (Exception e) {
                    return;
                }
            }
        });
        traffic.start();
        try {
            // A bucket closes every 10 s: the legend then shows this traffic.
            waiting(Duration.ofSeconds(25)).until(d -> !d.findElement(By.cssSelector(".legend li"))
                    .getText().endsWith(": 0/s now"));
        } finally {
            sending.set(false);
            traffic.join();
        }
        List<WebElement> legend = browser.findElements(By.cssSelector(".legend li"));
        assertEquals(2, legend.size());
        assertEquals(2, browser.findElements(By.cssSelector("svg.chart polyline")).size());
        // The whole page in one picture, for the README.
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1750));
        screenshot("distributor");
    }

    @Test
    @Order(9)
    void withMoreThanTwoBackendsEachHasASliderAndTheSharesShowBeforeSaving() throws Exception {
        browser.get(console("#/d/trio"));
        WebElement thirdWeight = visible(By.id("weight-2"));
        thirdWeight.sendKeys(Keys.HOME);
        WebElement blueWeight = browser.findElement(By.id("weight-0"));
        blueWeight.sendKeys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT);
        assertEquals("New traffic: blue 75% · green 25% · third 0%", browser.findElement(By.id("ratio-preview")).getText());
        assertEquals(List.of(1, 1, 1), weights("trio"), "nothing saved before Save");
        browser.findElement(By.id("save-ratio")).sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".message.ok"), "Traffic ratio saved"));
        assertEquals(List.of(3, 1, 0), weights("trio"));
        int[] counts = new int[3];
        for (int i = 0; i < 8; i++) {
            String body = service.proxy("trio.test", "/").body();
            counts[body.equals("blue") ? 0 : body.equals("green") ? 1 : 2]++;
        }
        assertEquals(List.of(6, 2, 0), List.of(counts[0], counts[1], counts[2]));
    }

    /** Sets the weights of undo's blue and green with a PUT, as someone using the API would; answers the new version. */
    static long putUndoWeights(int blueWeight, int greenWeight) throws Exception {
        HttpResponse<String> put = service.admin("PUT", "/api/v1/distributors/undo", """
                {"hostnames":["undo.test"],"backends":[
                  {"name":"blue","url":"%s","weight":%d},{"name":"green","url":"%s","weight":%d}]}"""
                .formatted(blue.url(), blueWeight, green.url(), greenWeight));
        assertEquals(200, put.statusCode(), put.body());
        return Long.parseLong(put.headers().firstValue("ETag").orElseThrow().replace("\"", ""));
    }

    /** The newest entry of undo's history as the API lists it: "version change". */
    static String newestRevision() throws Exception {
        HttpResponse<String> page = service.admin("GET", "/api/v1/distributors/undo/revisions?limit=1", null);
        assertEquals(200, page.statusCode(), page.body());
        Matcher newest = Pattern.compile("\\{\"version\":(\\d+),\"changedAt\":\"[^\"]+\",\"change\":\"(\\w+)\"")
                .matcher(page.body());
        assertTrue(newest.find(), page.body());
        return newest.group(1) + " " + newest.group(2);
    }

    @Test
    @Order(10)
    void rollsBackToAnEarlierRevisionFromTheHistoryAndTheProxyFollows() throws Exception {
        service.create("""
                {"name":"undo","hostnames":["undo.test"],"backends":[
                  {"name":"blue","url":"%s","weight":50},{"name":"green","url":"%s","weight":50}]}"""
                .formatted(blue.url(), green.url()));
        long created = Long.parseLong(newestRevision().split(" ")[0]);
        long eighty = putUndoWeights(80, 20);
        long twenty = putUndoWeights(20, 80);
        browser.get(console("#/"));
        visible(By.id("search"));
        browser.get(console("#/d/undo"));

        // Newest first, each with its kind and weights; the newest is the current version.
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("table.revisions tbody tr"), 3));
        List<String> rows = browser.findElements(By.cssSelector("table.revisions tbody tr")).stream()
                .map(row -> row.findElement(By.className("version")).getText() + " "
                        + row.findElement(By.className("change")).getText() + " "
                        + row.findElement(By.className("weights")).getText())
                .toList();
        assertEquals(List.of(twenty + " UPDATE blue 20 · green 80", eighty + " UPDATE blue 80 · green 20",
                created + " CREATE blue 50 · green 50"), rows);
        assertEquals("current", browser.findElement(By.cssSelector("table.revisions tr[data-version='" + twenty + "'] td:last-child")).getText());

        // Back to 80/20 with the keyboard: a new version, recorded as ROLLBACK, and the proxy routes by it.
        browser.findElement(By.cssSelector("tr[data-version='" + eighty + "'] button")).sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".message.ok"),
                "Rolled back to version " + eighty + ". Now version " + (twenty + 1) + "."));
        assertEquals(List.of(80, 20), weights("undo"));
        assertEquals((twenty + 1) + " ROLLBACK", newestRevision());
        int[] counts = answers("undo.test", 10);
        assertEquals(8, counts[0], "blue");
        assertEquals(2, counts[1], "green");
        wait.until(ExpectedConditions.textToBe(By.cssSelector("table.revisions tbody tr:first-child .change"), "ROLLBACK"));
        assertEquals(4, browser.findElements(By.cssSelector("table.revisions tbody tr")).size());
        WebElement panel = browser.findElement(By.cssSelector("section[aria-labelledby=revisions-title]"));
        browser.executeScript("arguments[0].scrollIntoView()", panel);
        Files.copy(panel.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve("revisions.png"),
                StandardCopyOption.REPLACE_EXISTING);

        // Someone else changes it meanwhile: a rollback from this page is refused and overwrites nothing.
        long other = putUndoWeights(60, 40);
        browser.findElement(By.cssSelector("tr[data-version='" + created + "'] button")).click();
        WebElement conflict = visible(By.cssSelector(".message.conflict"));
        assertTrue(conflict.getText().startsWith("Changed by someone else — reload"), conflict.getText());
        assertEquals(List.of(60, 40), weights("undo"), "the other change stands");
        assertEquals(other + " UPDATE", newestRevision(), "no rollback recorded");

        // A longer history comes a page (20) at a time: the oldest, the CREATE, is on the next page.
        for (int i = 0; i < 16; i++) {
            putUndoWeights(i % 2 == 0 ? 40 : 60, i % 2 == 0 ? 60 : 40);
        }
        browser.findElement(By.id("reload")).click();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#revisions-title + table + .pager .count"), "1–20 of 21"));
        browser.findElement(By.xpath("//section[@aria-labelledby='revisions-title']//button[text()='Older →']")).click();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#revisions-title + table + .pager .count"), "21–21 of 21"));
        assertEquals(created + " CREATE", browser.findElement(By.cssSelector("table.revisions tbody tr .version")).getText()
                + " " + browser.findElement(By.cssSelector("table.revisions tbody tr .change")).getText());
    }
}
