"""dockward's language server driven over stdio by pytest-lsp, once per recorded editor.

LSP_CMD is the command line that starts the server (for example `target/debug/dockward lsp`).
pytest-lsp replays the client capabilities it recorded from real editors:

- visual-studio-code (1.65.2): UTF-16 positions, push diagnostics, `documentChanges`, resolves `edit`;
- neovim (0.11.0): UTF-8 positions, pull diagnostics (`textDocument.diagnostic`, no refresh support),
  plain `changes`, resolves `edit`;
- emacs (eglot, 29.1): UTF-8 positions, push diagnostics, `documentChanges`, no code action resolve.

Every test works on a copy of fixtures/lsp/basic in a temporary directory that is also the workspace
root, so nothing in the repository is read as project configuration or written to.
"""

import asyncio
import os
import pathlib
import shlex
import shutil

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features
from pygls.protocol import default_converter

SERVER = shlex.split(os.environ["LSP_CMD"])
REPO = pathlib.Path(__file__).resolve().parents[3]
FIXTURE = REPO / "fixtures" / "lsp" / "basic"
TEXT = (FIXTURE / "Dockerfile").read_text(encoding="utf-8")
FIXED = (FIXTURE / "Dockerfile.fixed").read_text(encoding="utf-8")
LINES = TEXT.split("\n")
EDITORS = ["visual-studio-code", "neovim", "emacs"]
# The language id each editor sends for a `.dockerignore` file.
IGNORE_LANGUAGE = {"visual-studio-code": "ignore", "neovim": "gitignore", "emacs": "dockerignore"}
WAIT = 10  # seconds for anything the server should do at once


def line_of(prefix: str) -> int:
    """The 0-based number of the fixture line that starts with `prefix`."""
    return next(i for i, line in enumerate(LINES) if line.startswith(prefix))


RNU = line_of("RNU ")
COPY = line_of("COPY --chonw")
MOUNT = line_of("RUN --mount")
BLANK = line_of("RUN echo") + 1
CMD = line_of("CMD make")
FROM = line_of("FROM ")
CMD = line_of("CMD ")
assert LINES[BLANK] == "" and "🐳" in LINES[MOUNT] and "キャッシュ" in LINES[MOUNT]


# ----- positions in the negotiated encoding -----------------------------------------------------------


def units(s: str, enc: str) -> int:
    """Length of `s` in the code units of a position encoding."""
    if enc == "utf-8":
        return len(s.encode("utf-8"))
    if enc == "utf-16":
        return len(s.encode("utf-16-le")) // 2
    return len(s)


def chars(line: str, n: int, enc: str) -> int:
    """The character index in `line` that is `n` code units from its start."""
    if enc == "utf-8":
        return len(line.encode("utf-8")[:n].decode("utf-8"))
    if enc == "utf-16":
        return len(line.encode("utf-16-le")[: 2 * n].decode("utf-16-le"))
    return n


def offset(text: str, pos: types.Position, enc: str) -> int:
    lines = text.split("\n")
    assert pos.line <= len(lines), pos
    if pos.line == len(lines):
        return len(text)
    start = sum(len(line) + 1 for line in lines[: pos.line])
    line = lines[pos.line]
    assert pos.character <= units(line, enc), (pos, line)
    return start + chars(line, pos.character, enc)


def apply_edits(text: str, edits: list[types.TextEdit], enc: str) -> str:
    spans = sorted(
        ((offset(text, e.range.start, enc), offset(text, e.range.end, enc), e.new_text) for e in edits),
        key=lambda s: s[0],
        reverse=True,
    )
    for a, b, new in spans:
        text = text[:a] + new + text[b:]
    return text


def apply_workspace_edit(edit: types.WorkspaceEdit, uri: str, text: str, version: int, enc: str) -> str:
    """Applies the edits for `uri` the way the client said it could take them."""
    edits: list[types.TextEdit] = []
    if edit.document_changes is not None:
        for change in edit.document_changes:
            assert isinstance(change, types.TextDocumentEdit), f"unexpected resource operation {change}"
            assert change.text_document.uri == uri
            assert change.text_document.version in (None, version), "an edit for another version"
            edits.extend(change.edits)
    else:
        assert edit.changes is not None and set(edit.changes) == {uri}, edit
        edits.extend(edit.changes[uri])
    return apply_edits(text, edits, enc)


# ----- the client --------------------------------------------------------------------------------------


def editor_like_client() -> LanguageClient:
    """pytest-lsp's test client, plus what a real editor does: it accepts `client/registerCapability`
    and keeps every publication (with its version), not only the last diagnostics per document."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []  # list[types.PublishDiagnosticsParams]
    client.registrations = []  # list[types.Registration]
    default_publish = DEFAULT_CLIENT_FEATURES[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def publish(ls: LanguageClient, params: types.PublishDiagnosticsParams):
        ls.published.append(params)
        default_publish(ls, params)

    def register(ls: LanguageClient, params: types.RegistrationParams):
        ls.registrations.extend(params.registrations)
        return None

    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    features[types.CLIENT_REGISTER_CAPABILITY] = register
    register_lsp_features(client, features)
    return client


class Session:
    """One editor's session on a copy of the fixture."""

    def __init__(self, client: LanguageClient, editor: str, root: pathlib.Path, result: types.InitializeResult):
        self.client = client
        self.editor = editor
        self.root = root
        self.path = root / "Dockerfile"
        self.uri = self.path.as_uri()
        self.result = result
        caps = result.capabilities
        pe = caps.position_encoding or "utf-16"
        self.enc = str(getattr(pe, "value", pe))
        self.pull = caps.diagnostic_provider is not None
        self.text = TEXT
        self.version = 1

    async def until(self, what: str, pred, timeout: float = WAIT):
        deadline = asyncio.get_running_loop().time() + timeout
        while not (value := pred()):
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{self.editor}: timed out after {timeout} s waiting for {what}")
            await asyncio.sleep(0.02)
        return value

    def publications(self, uri: str | None = None) -> list[types.PublishDiagnosticsParams]:
        return [p for p in self.client.published if p.uri == (uri or self.uri)]

    def open(self) -> None:
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=self.uri, language_id="dockerfile", version=self.version, text=self.text
                )
            )
        )

    async def diagnostics(self) -> list[types.Diagnostic]:
        """The diagnostics of the current version: pulled in pull mode, else the publication for it."""
        if self.pull:
            report = await asyncio.wait_for(
                self.client.text_document_diagnostic_async(
                    types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=self.uri))
                ),
                WAIT,
            )
            assert report.kind == "full", report
            return list(report.items)
        version = self.version
        pub = await self.until(
            f"publishDiagnostics for version {version}",
            lambda: next((p for p in reversed(self.publications()) if p.version == version), None),
        )
        return list(pub.diagnostics)

    async def change(self, edits: list[types.TextEdit]) -> None:
        """Applies `edits` to the text and sends them as incremental changes, as an editor does."""
        self.text = apply_edits(self.text, edits, self.enc)
        self.version += 1
        # Last edit first, so that each range is still valid in the text the server has.
        ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True)
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
                content_changes=[
                    types.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in ordered
                ],
            )
        )

    async def actions(self, rng: types.Range, diags: list[types.Diagnostic], only=None) -> list[types.CodeAction]:
        result = await asyncio.wait_for(
            self.client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri=self.uri),
                    range=rng,
                    context=types.CodeActionContext(diagnostics=diags, only=only),
                )
            ),
            WAIT,
        )
        assert all(isinstance(a, types.CodeAction) for a in result or []), result
        return list(result or [])

    def col(self, line: int, char_index: int) -> int:
        """A character index on a fixture line, in the negotiated encoding."""
        return units(LINES[line][:char_index], self.enc)


def initialize_params(editor: str, root: pathlib.Path) -> types.InitializeParams:
    return types.InitializeParams(
        capabilities=client_capabilities(editor),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        client_info=types.ClientInfo(name=f"pytest-lsp as {editor}"),
        locale="en",
    )


def workspace(tmp_path: pathlib.Path) -> pathlib.Path:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(FIXTURE / "Dockerfile", root / "Dockerfile")
    return root


async def shut_down(client: LanguageClient) -> None:
    """shutdown, exit, and the server must end with status 0."""
    server = client._server
    if server is None or server.returncode is not None:
        return
    await asyncio.wait_for(client.shutdown_session(), WAIT)
    await asyncio.wait_for(server.wait(), WAIT)
    assert server.returncode == 0, f"server exited with {server.returncode} after shutdown and exit"


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=editor_like_client),
    params=EDITORS,
)
async def client(request, lsp_client: LanguageClient, tmp_path: pathlib.Path):
    editor = request.param
    root = workspace(tmp_path)
    result = await asyncio.wait_for(lsp_client.initialize_session(initialize_params(editor, root)), WAIT)
    lsp_client.session = Session(lsp_client, editor, root, result)
    yield
    await shut_down(lsp_client)


def session(client: LanguageClient) -> Session:
    return client.session


# ----- the tests -----------------------------------------------------------------------------------------


async def test_initialize_negotiates_what_the_editor_supports(client: LanguageClient):
    s = session(client)
    caps = s.result.capabilities
    assert s.result.server_info is not None and s.result.server_info.name == "dockward"
    offered = client_capabilities(s.editor).general
    offered = (offered.position_encodings if offered else None) or []
    # utf-8 when the client offers it, else the protocol's default utf-16
    assert s.enc == ("utf-8" if "utf-8" in offered else "utf-16")
    wants_pull = client_capabilities(s.editor).text_document.diagnostic is not None
    assert s.pull == wants_pull
    sync = caps.text_document_sync
    assert sync.change == types.TextDocumentSyncKind.Incremental and sync.open_close
    assert caps.hover_provider
    assert caps.code_action_provider.resolve_provider
    kinds = set(caps.code_action_provider.code_action_kinds)
    assert {"quickfix", "source.fixAll.dockward", "refactor.rewrite"} <= kinds, kinds


async def test_diagnostics_codes_ranges_and_severities(client: LanguageClient):
    s = session(client)
    s.open()
    diags = await s.diagnostics()
    got = [(d.code, d.range.start.line, d.range.start.character, d.severity) for d in diags]
    error, warning = types.DiagnosticSeverity.Error, types.DiagnosticSeverity.Warning
    assert got == [
        ("DW002", RNU, 0, error),
        ("DW003", COPY, s.col(COPY, LINES[COPY].index("chonw")), error),
        ("DW003", MOUNT, s.col(MOUNT, LINES[MOUNT].index("netwrok")), error),
        ("DW005", BLANK, 0, warning),
        # BuildKit's JSONArgsRecommended: the shell-form CMD.
        ("DW606", CMD, s.col(CMD, LINES[CMD].index("make")), warning),
    ], got
    unknown = diags[0]
    assert unknown.range.end == types.Position(line=RNU, character=3)
    assert unknown.source == "dockward"
    assert "`RNU` is not a Dockerfile instruction" in unknown.message
    if not s.pull:
        # Pushed with the version they belong to.
        assert s.publications()[-1].version == 1


async def test_position_after_an_emoji_is_in_the_negotiated_encoding(client: LanguageClient):
    s = session(client)
    s.open()
    diags = await s.diagnostics()
    netwrok = next(d for d in diags if "--netwrok" in d.message)
    line = LINES[MOUNT]
    start = line.index("netwrok")
    expected = {"utf-8": len(line[:start].encode()), "utf-16": len(line[:start].encode("utf-16-le")) // 2}
    assert expected["utf-16"] == start + 1, "the emoji before it is one surrogate pair"
    assert netwrok.range.start == types.Position(line=MOUNT, character=expected[s.enc])
    assert netwrok.range.end == types.Position(line=MOUNT, character=expected[s.enc] + units("netwrok", s.enc))
    # Its quick fix lands on the same characters.
    fix = next(a for a in await s.actions(netwrok.range, [netwrok]) if a.title == "Replace with `--network`")
    assert fix.kind == types.CodeActionKind.QuickFix
    after = apply_workspace_edit(fix.edit, s.uri, s.text, s.version, s.enc)
    assert after.split("\n")[MOUNT] == line.replace("--netwrok", "--network")
    assert after.replace("--network", "--netwrok", 1) == TEXT


async def test_first_quick_fix_gives_the_fixed_file(client: LanguageClient):
    s = session(client)
    s.open()
    diags = await s.diagnostics()
    first = diags[0]
    actions = await s.actions(first.range, [first])
    titles = [a.title for a in actions]
    assert titles[:2] == ["Replace with `RUN`", "Ignore DW002 for this instruction"], titles
    fix = actions[0]
    assert fix.kind == types.CodeActionKind.QuickFix and fix.diagnostics and fix.diagnostics[0].code == "DW002"
    assert fix.edit is not None
    # Clients that take documentChanges get versioned edits; the others (Neovim) plain changes.
    edit_caps = client_capabilities(s.editor).workspace.workspace_edit
    assert (fix.edit.document_changes is not None) == bool(edit_caps and edit_caps.document_changes)
    assert apply_workspace_edit(fix.edit, s.uri, s.text, s.version, s.enc) == FIXED
    # The editor applies it and sends the change: the diagnostic goes away, the others stay.
    edits = fix.edit.changes[s.uri] if fix.edit.changes else fix.edit.document_changes[0].edits
    await s.change(list(edits))
    assert s.text == FIXED
    codes = [d.code for d in await s.diagnostics()]
    assert codes == ["DW003", "DW003", "DW005", "DW606"], codes


async def test_ignore_action_inserts_a_pragma_above(client: LanguageClient):
    s = session(client)
    s.open()
    first = (await s.diagnostics())[0]
    ignore = next(a for a in await s.actions(first.range, [first]) if a.title == "Ignore DW002 for this instruction")
    after = apply_workspace_edit(ignore.edit, s.uri, s.text, s.version, s.enc).split("\n")
    assert after[RNU].startswith("# dockward ignore=DW002 -- "), after[RNU]
    assert after[RNU + 1] == LINES[RNU]


async def test_fix_all_through_resolve(client: LanguageClient):
    s = session(client)
    s.open()
    await s.diagnostics()
    start = types.Position(line=0, character=0)
    actions = await s.actions(types.Range(start=start, end=start), [], only=["source.fixAll"])
    assert [a.kind for a in actions] == ["source.fixAll.dockward"], actions
    action = actions[0]
    resolves = "edit" in (getattr(client_capabilities(s.editor).text_document.code_action.resolve_support, "properties", None) or [])
    if resolves:
        assert action.edit is None, "the edit is computed at codeAction/resolve"
        action = await asyncio.wait_for(client.code_action_resolve_async(action), WAIT)
    assert action.edit is not None
    # Only safe fixes: the blank continuation line goes, the typos (unsafe fixes) stay.
    expected = "\n".join(LINES[:BLANK] + LINES[BLANK + 1 :])
    assert apply_workspace_edit(action.edit, s.uri, s.text, s.version, s.enc) == expected


async def test_rewrite_cmd_to_exec_form(client: LanguageClient):
    s = session(client)
    s.open()
    await s.diagnostics()
    pos = types.Position(line=CMD, character=1)
    actions = await s.actions(types.Range(start=pos, end=pos), [], only=["refactor.rewrite"])
    rewrite = next(a for a in actions if a.title.startswith("Convert CMD to the exec form"))
    assert rewrite.kind == types.CodeActionKind.RefactorRewrite
    after = apply_workspace_edit(rewrite.edit, s.uri, s.text, s.version, s.enc).split("\n")
    assert after[CMD].startswith("CMD ["), after[CMD]


async def test_hover_on_a_diagnostic_a_keyword_and_an_image(client: LanguageClient):
    s = session(client)
    s.open()
    await s.diagnostics()

    async def hover(line: int, char_index: int) -> types.Hover:
        h = await asyncio.wait_for(
            client.text_document_hover_async(
                types.HoverParams(
                    text_document=types.TextDocumentIdentifier(uri=s.uri),
                    position=types.Position(line=line, character=s.col(line, char_index)),
                )
            ),
            WAIT,
        )
        assert h is not None and isinstance(h.contents, types.MarkupContent), h
        assert h.contents.kind == types.MarkupKind.Markdown
        return h

    h = await hover(RNU, 1)
    assert h.contents.value.startswith("**DW002 unknown-instruction**"), h.contents.value
    h = await hover(FROM, 1)
    assert "starts a build stage" in h.contents.value
    h = await hover(FROM, LINES[FROM].index("debian") + 2)
    assert "Docker Official Image" in h.contents.value
    # A hover on the line after the emoji resolves in the negotiated encoding.
    h = await hover(MOUNT, LINES[MOUNT].index("netwrok") + 1)
    assert h.contents.value.startswith("**DW003 unknown-flag**"), h.contents.value


async def test_ignore_file_change_reaches_the_dockerfile(client: LanguageClient):
    """An edit of the `.dockerignore` next to the Dockerfile makes the server check it again.

    Pull clients that support `workspace/diagnostic/refresh` get one; the recorded Neovim does not
    advertise it, so the server must not send it, and the next pull still answers. The ignore file
    changes none of today's rules' results, and the server pushes nothing when nothing changed; so a
    push client sees the recheck through the project file instead: a new `.dockward.toml` announced with
    `workspace/didChangeWatchedFiles` that turns DW005 off is pushed at once.
    """
    s = session(client)
    (s.root / ".dockerignore").write_text(".git\n", encoding="utf-8")
    s.open()
    before = await s.diagnostics()
    ignore_uri = (s.root / ".dockerignore").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=ignore_uri, language_id=IGNORE_LANGUAGE[s.editor], version=1, text=".git\n"
            )
        )
    )
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=ignore_uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=".git\n**/node_modules\n")],
        )
    )
    await asyncio.sleep(0.5)
    assert client.diagnostic_refresh_count == 0, "refresh sent to a client that did not advertise it"
    assert not s.publications(ignore_uri) or all(not p.diagnostics for p in s.publications(ignore_uri))
    assert await s.diagnostics() == before, "the ignore file changes nothing today"

    (s.root / ".dockward.toml").write_text('ignore = ["DW005"]\n', encoding="utf-8")
    published = len(s.publications())
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=(s.root / ".dockward.toml").as_uri(), type=types.FileChangeType.Created)]
        )
    )
    if s.pull:
        await asyncio.sleep(0.5)
        assert client.diagnostic_refresh_count == 0
    else:
        await s.until("a new publication after the project file changed", lambda: len(s.publications()) > published)
    codes = [d.code for d in await s.diagnostics()]
    assert codes == ["DW002", "DW003", "DW003", "DW606"], codes


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=editor_like_client),
)
async def refreshing_client(lsp_client: LanguageClient, tmp_path: pathlib.Path):
    """Neovim's recorded capabilities plus `workspace.diagnostics.refreshSupport`, as VS Code 1.67+
    sends them: a pull client the server may ask to pull again."""
    root = workspace(tmp_path)
    params = initialize_params("neovim", root)
    params.capabilities.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    result = await asyncio.wait_for(lsp_client.initialize_session(params), WAIT)
    lsp_client.session = Session(lsp_client, "neovim+refresh", root, result)
    yield
    await shut_down(lsp_client)


async def test_ignore_file_change_asks_a_pull_client_to_refresh(refreshing_client: LanguageClient):
    s = session(refreshing_client)
    assert s.pull
    s.open()
    before = await s.diagnostics()
    ignore_uri = (s.root / ".dockerignore").as_uri()
    refreshing_client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=ignore_uri, language_id="gitignore", version=1, text=".git\n")
        )
    )
    await s.until("workspace/diagnostic/refresh", lambda: refreshing_client.diagnostic_refresh_count >= 1)
    count = refreshing_client.diagnostic_refresh_count
    refreshing_client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=ignore_uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=".git\n*.md\n")],
        )
    )
    await s.until("a second refresh", lambda: refreshing_client.diagnostic_refresh_count > count)
    assert await s.diagnostics() == before


async def test_shutdown_is_clean(client: LanguageClient):
    s = session(client)
    s.open()
    await s.diagnostics()
    await shut_down(client)
    assert client._server.returncode == 0


# The server must survive an error reply to its own requests (client/registerCapability,
# workspace/configuration, ...).  pytest-lsp's default client answers registerCapability with
# MethodNotFound; VS Code's and Emacs' recorded capabilities make the server ask for it.
@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), params=["visual-studio-code", "emacs"])
async def strict_client(request, lsp_client: LanguageClient, tmp_path: pathlib.Path):
    root = workspace(tmp_path)
    await asyncio.wait_for(lsp_client.initialize_session(initialize_params(request.param, root)), WAIT)
    lsp_client.root = root
    # Let the refusal happen here, in setup: pytest-lsp 1.0.1 reports a request its client could not
    # handle as the failure of the test that is running when it arrives, even when the server copes.
    deadline = asyncio.get_running_loop().time() + WAIT
    while not any("refused file watching" in m.message for m in lsp_client.log_messages):
        assert asyncio.get_running_loop().time() < deadline, "the server did not report the refusal"
        await asyncio.sleep(0.02)
    yield
    await shut_down(lsp_client)


async def test_survives_error_reply(strict_client: LanguageClient):
    uri = (strict_client.root / "Dockerfile").as_uri()
    strict_client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="dockerfile", version=1, text=TEXT)
        )
    )
    deadline = asyncio.get_running_loop().time() + WAIT
    while uri not in strict_client.diagnostics:
        assert asyncio.get_running_loop().time() < deadline, "no diagnostics after the client refused registerCapability"
        await asyncio.sleep(0.02)
    assert [d.code for d in strict_client.diagnostics[uri]][:1] == ["DW002"]
    # The server noticed the refusal (the fixture waited for its log message) and still answers requests.
    h = await asyncio.wait_for(
        strict_client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=RNU, character=1)
            )
        ),
        WAIT,
    )
    assert h is not None
