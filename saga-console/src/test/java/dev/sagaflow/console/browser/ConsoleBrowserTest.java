package dev.sagaflow.console.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.console.Authorizer;
import dev.sagaflow.console.ConsoleUser;
import dev.sagaflow.console.DataMasker;
import dev.sagaflow.console.SagaConsole;
import dev.sagaflow.console.support.Chromium;
import dev.sagaflow.console.support.ConsoleServer;
import dev.sagaflow.console.support.PostgresDatabase;
import dev.sagaflow.console.support.RequiresBrowserAndPostgres;
import dev.sagaflow.console.support.ShopSagas;
import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaInstance;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in Debian's Chromium, headless, over the shop's sagas in PostgreSQL: the overview, filters,
 * one saga's timeline, hostile content, and retry and abort through their confirmation dialogs, with the
 * store checked afterwards. Saves a screenshot of every page in {@code target/screenshots}. The tests
 * that act come last (the order is fixed), since they change what the earlier ones look at.
 */
@RequiresBrowserAndPostgres
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {
    private static final String PREFIX = "scon_";
    private static final String USER_COOKIE = "console-user";
    /** The test's stand-in for the host's login: a cookie names the user; olga operates, rita reads. */
    private static final Authorizer BY_COOKIE = request -> request.header("Cookie")
            .flatMap(header -> Arrays.stream(header.split(";")).map(String::strip)
                    .filter(c -> c.startsWith(USER_COOKIE + "=")).map(c -> c.substring(USER_COOKIE.length() + 1))
                    .findFirst())
            .map(user -> user.equals("olga") ? ConsoleUser.operator("olga") : ConsoleUser.readOnly(user));

    private static JdbcSagaStore store;
    private static ShopSagas shop;
    private static ConsoleServer server;
    private static Chromium chromium;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() {
        store = JdbcSagaStore.builder(PostgresDatabase.pooled()).tablePrefix(PREFIX).createSchemaIfMissing(true).build();
        PostgresDatabase.execute("DELETE FROM " + PREFIX + "history", "DELETE FROM " + PREFIX + "instances");
        Instant now = Instant.now();
        shop = ShopSagas.populate(store, now.minus(Duration.ofHours(3)), now);
        server = ConsoleServer.start(SagaConsole.builder(shop.orchestrator()).authorizer(BY_COOKIE)
                .dataMasker(DataMasker.fields("cardNumber")).build());
        chromium = Chromium.start(Path.of(System.getProperty("basedir", "."), "target", "screenshots"));
        browser = chromium.driver();
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (server != null) {
            server.close();
        }
        if (shop != null) {
            shop.close();
        }
    }

    @BeforeEach
    void signInAsTheOperator() {
        signInAs("olga");
    }

    @Test
    @Order(1)
    void without_a_user_the_console_shows_nothing() {
        browser.get(server.uri("/").toString());
        browser.manage().deleteAllCookies();

        browser.get(server.uri("/").toString());

        assertThat(browser.findElement(By.tagName("body")).getText()).isEqualTo("You are not allowed to use this console.");
    }

    @Test
    @Order(2)
    void the_overview_counts_sagas_by_name_and_status_and_lists_those_that_need_attention() {
        browser.get(server.uri("/").toString());

        assertThat(browser.getTitle()).isEqualTo("Overview · Sagaflow console");
        WebElement counts = browser.findElement(By.cssSelector("table.counts"));
        assertThat(cell(counts, "order-saga", "COMPLETED")).isEqualTo("2");
        assertThat(cell(counts, "order-saga", "FAILED")).isEqualTo("1");
        assertThat(cell(counts, "payment-saga", "COMPENSATING")).isEqualTo("1");
        assertThat(idsIn(browser.findElement(By.id("oldest-running"))))
                .containsExactly(shop.id("awaiting"), shop.id("retrying"));
        assertThat(idsIn(browser.findElement(By.id("failed")))).containsExactly(shop.id("failed"));
        assertThat(idsIn(browser.findElement(By.id("awaiting-reply")))).containsExactly(shop.id("awaiting"));
        chromium.screenshot("1-overview");
    }

    @Test
    @Order(3)
    void the_filter_form_selects_by_status_and_by_saga_name() {
        browser.get(server.uri("/").toString());

        new Select(browser.findElement(By.name("status"))).selectByValue("RUNNING");
        browser.findElement(By.cssSelector("form.filters button[type=submit]")).click();

        assertThat(browser.getCurrentUrl()).contains("status=RUNNING");
        assertThat(idsIn(browser.findElement(By.id("results")))).containsExactly(shop.id("awaiting"), shop.id("retrying"));
        chromium.screenshot("2-list-running");

        WebElement name = browser.findElement(By.name("name"));
        name.sendKeys("payment-saga");
        browser.findElement(By.cssSelector("form.filters button[type=submit]")).click();

        assertThat(idsIn(browser.findElement(By.id("results")))).containsExactly(shop.id("retrying"));
    }

    @Test
    @Order(4)
    void the_list_pages_through_every_instance() {
        browser.get(server.uri("/sagas").toString());

        assertThat(idsIn(browser.findElement(By.id("results")))).containsExactlyInAnyOrderElementsOf(shop.ids().values());
        assertThat(browser.findElements(By.cssSelector("a.next"))).isEmpty();
    }

    @Test
    @Order(5)
    void searching_by_id_opens_the_sagas_page() {
        browser.get(server.uri("/").toString());

        browser.findElement(By.name("id")).sendKeys(shop.id("completed-after-retries"));
        browser.findElement(By.cssSelector("form.filters button[type=submit]")).click();

        assertThat(browser.findElement(By.id("saga-id")).getText()).isEqualTo(shop.id("completed-after-retries"));
    }

    @Test
    @Order(6)
    void a_sagas_page_draws_its_history_on_a_time_axis_with_each_entrys_error_text() {
        openSaga("failed");

        WebElement timeline = browser.findElement(By.cssSelector("svg.timeline"));
        assertThat(timeline.findElements(By.cssSelector("rect.bar.wait"))).hasSize(1);
        WebElement gaveUp = timeline.findElement(By.cssSelector("rect.bar.compensation.failed"));
        assertThat(gaveUp.getSize().getWidth()).isGreaterThan(100);
        assertThat(timeline.findElements(By.cssSelector("path.mark.retry"))).isNotEmpty();
        assertThat(textOf(timeline.findElement(By.cssSelector("path.mark.failure title"))))
                .contains("ledger unavailable: " + ShopSagas.SCRIPT);
        assertThat(browser.findElement(By.cssSelector("table.history")).getText())
                .contains("COMPENSATION_GAVE_UP").contains("ledger unavailable: <script>");
        assertThat(browser.findElement(By.cssSelector("pre.json")).getText())
                .contains("\"cardNumber\" : \"***\"").doesNotContain("4111");
        chromium.screenshot("3-saga-failed");
        chromium.windowScreenshot("3-saga-failed-window"); // the README's picture (docs/console.png)

        openSaga("completed-after-retries");
        WebElement mail = browser.findElements(By.cssSelector("svg.timeline g.lane")).get(5);
        assertThat(mail.findElements(By.cssSelector("path.mark.retry"))).hasSize(2);
        chromium.screenshot("4-saga-completed-after-retries");
    }

    @Test
    @Order(7)
    void hostile_names_data_and_errors_are_shown_as_text_and_never_run() {
        openSaga("hostile");
        browser.get(server.uri("/").toString());
        browser.get(server.uri("/sagas?status=COMPENSATED").toString());
        openSaga("hostile");

        assertThat(browser.findElement(By.tagName("h1")).getText()).startsWith(ShopSagas.HOSTILE_SAGA);
        assertThat(browser.findElement(By.id("saga-error")).getText()).contains(ShopSagas.SCRIPT);
        assertThat(browser.findElement(By.cssSelector("table.steps")).getText()).contains(ShopSagas.HOSTILE_STEP);
        assertThat(browser.findElement(By.cssSelector("pre.json")).getText()).contains(ShopSagas.SCRIPT);
        assertThat(browser.executeScript("return window.__pwned === undefined")).isEqualTo(true);
        assertThat(browser.findElements(By.tagName("img"))).isEmpty();
        assertNoAlert(browser);
        chromium.screenshot("5-saga-hostile");
    }

    @Test
    @Order(8)
    void a_read_only_user_is_offered_no_action() {
        signInAs("rita");
        openSaga("failed");

        assertThat(browser.findElements(By.id("retry-button"))).isEmpty();
        assertThat(browser.findElement(By.id("actions")).getText()).contains("You have read-only access");
    }

    @Test
    @Order(9)
    void cancelling_the_abort_dialog_changes_nothing() {
        openSaga("awaiting");

        browser.findElement(By.id("abort-button")).click();
        WebElement dialog = browser.findElement(By.id("abort-dialog"));
        wait(browser).until(ExpectedConditions.visibilityOf(dialog));
        dialog.findElement(By.cssSelector("a.cancel")).click();

        wait(browser).until(ExpectedConditions.invisibilityOf(dialog));
        assertThat(browser.findElement(By.id("saga-id")).getText()).isEqualTo(shop.id("awaiting"));
        assertThat(stored("awaiting").status()).isEqualTo(SagaStatus.RUNNING);
    }

    @Test
    @Order(10)
    void an_operator_retries_a_failed_saga_after_confirming_and_the_store_records_it() throws SQLException {
        shop.ledgerComesBack();
        openSaga("failed");

        browser.findElement(By.id("retry-button")).click();
        WebElement dialog = browser.findElement(By.id("retry-dialog"));
        wait(browser).until(ExpectedConditions.visibilityOf(dialog));
        assertThat(dialog.getText()).contains("Retry this saga?").contains("the host's log records that olga did it");
        chromium.screenshot("6-retry-dialog");
        dialog.findElement(By.cssSelector("button[type=submit]")).click();

        wait(browser).until(ExpectedConditions.urlContains("done=retry"));
        assertThat(browser.findElement(By.cssSelector("p.notice.ok")).getText()).isEqualTo("Retried: its stuck step or compensation runs again.");
        assertThat(browser.findElement(By.cssSelector("h1 .badge")).getText()).isEqualTo("COMPENSATED");
        chromium.screenshot("7-after-retry");
        assertThat(statusColumn(shop.id("failed"))).isEqualTo("COMPENSATED");
        assertThat(store.history(shop.id("failed"))).extracting(HistoryEntry::type)
                .containsSubsequence(SagaEventType.COMPENSATION_GAVE_UP, SagaEventType.SAGA_RETRIED,
                        SagaEventType.COMPENSATION_SUCCEEDED, SagaEventType.SAGA_COMPENSATED);
    }

    @Test
    @Order(11)
    void an_operator_aborts_a_running_saga_with_a_reason_and_the_store_records_who() throws SQLException {
        openSaga("awaiting");

        browser.findElement(By.id("abort-button")).click();
        WebElement dialog = browser.findElement(By.id("abort-dialog"));
        wait(browser).until(ExpectedConditions.visibilityOf(dialog));
        assertThat(dialog.getText()).contains("Its history records the abort, with your reason and your name, olga.");
        dialog.findElement(By.name("reason")).sendKeys("customer cancelled by phone");
        chromium.screenshot("8-abort-dialog");
        dialog.findElement(By.cssSelector("button[type=submit]")).click();

        wait(browser).until(ExpectedConditions.urlContains("done=abort"));
        assertThat(browser.findElement(By.cssSelector("h1 .badge")).getText()).isEqualTo("COMPENSATED");
        assertThat(browser.findElement(By.cssSelector("table.history")).getText())
                .contains("SAGA_ABORTED").contains("by olga: customer cancelled by phone");
        chromium.screenshot("9-after-abort");
        assertThat(statusColumn(shop.id("awaiting"))).isEqualTo("COMPENSATED");
        assertThat(store.history(shop.id("awaiting"))).filteredOn(e -> e.type() == SagaEventType.SAGA_ABORTED)
                .extracting(HistoryEntry::detail)
                .containsExactly("by olga: customer cancelled by phone");
    }

    @Test
    @Order(12)
    void after_the_actions_the_overview_has_no_failed_saga_left() {
        browser.get(server.uri("/").toString());

        assertThat(browser.findElement(By.id("failed")).getText()).contains("No saga has failed.");
        assertThat(idsIn(browser.findElement(By.id("oldest-running")))).containsExactly(shop.id("retrying"));
        chromium.screenshot("10-overview-after-actions");
    }

    private void signInAs(String user) {
        browser.get(server.uri("/assets/console.css").toString()); // a page of the console's origin, to set its cookie
        browser.manage().deleteAllCookies();
        browser.manage().addCookie(new Cookie(USER_COOKIE, user, "/"));
    }

    private void openSaga(String role) {
        browser.get(server.uri("/sagas/" + shop.id(role)).toString());
        assertThat(browser.findElement(By.id("saga-id")).getText()).isEqualTo(shop.id(role));
    }

    private static SagaInstance stored(String role) {
        return store.find(shop.id(role)).orElseThrow();
    }

    /** The status as the database has it, read with SQL rather than through the store. */
    private static String statusColumn(String id) throws SQLException {
        try (Connection c = PostgresDatabase.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT status FROM " + PREFIX + "instances WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("row of %s", id).isTrue();
                return rs.getString(1);
            }
        }
    }

    private static String cell(WebElement counts, String saga, String status) {
        List<WebElement> headers = counts.findElements(By.cssSelector("thead th"));
        int column = headers.stream().map(WebElement::getText).toList().indexOf(status);
        WebElement row = counts.findElements(By.cssSelector("tbody tr")).stream()
                .filter(r -> r.findElement(By.tagName("th")).getText().equals(saga)).findFirst().orElseThrow();
        return row.findElements(By.cssSelector("th, td")).get(column).getText();
    }

    private static List<String> idsIn(WebElement container) {
        return container.findElements(By.cssSelector("td.id a")).stream().map(a -> {
            String href = a.getAttribute("href");
            return href.substring(href.lastIndexOf('/') + 1);
        }).toList();
    }

    private static String textOf(WebElement element) {
        return element.getAttribute("textContent");
    }

    private static WebDriverWait wait(WebDriver driver) {
        return new WebDriverWait(driver, Duration.ofSeconds(10));
    }

    private static void assertNoAlert(WebDriver driver) {
        try {
            String text = driver.switchTo().alert().getText();
            throw new AssertionError("a script ran and opened an alert: " + text);
        } catch (NoAlertPresentException expected) {
            // nothing ran
        }
    }

}
