"""Flask extensions, created unbound here and initialised in create_app()."""

from __future__ import annotations

from typing import Any

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, exc
from sqlalchemy.engine import Connection, CursorResult, Row
from sqlalchemy.engine.cursor import CursorResultMetaData
from sqlalchemy.engine.result import IteratorResult
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Storage comes from RATELIMIT_STORAGE_URI (memory:// for one server, redis:// for several).
limiter = Limiter(key_func=get_remote_address, headers_enabled=False)


def read(statement, params: dict | None = None):
    """Run a Core ``statement`` (a select of columns, not of ORM entities, built once at
    module level) on the request's session connection, inside the session's transaction.

    For the reads every page view makes. Pending changes are flushed first, as the session
    would (unless autoflush is off). Session.execute's ORM bookkeeping costs more than the
    query itself, and Connection.execute still works out per call what never changes for
    a given statement (its SQL, the order and processing of its parameters, the processing
    of its columns): three quarters of a small read's cost against SQLite. So the second
    run of a statement on a database goes through SQLAlchemy as usual and keeps what
    SQLAlchemy worked out (a _ReadPlan); later runs hand the SQL to the driver's cursor.

    ``read`` itself is the fast path rather than a sibling next to it: every caller of a
    hot read gets it, and there stays one way to read. The rows are SQLAlchemy's own Row
    objects, built with the column processors SQLAlchemy chose (tz-aware datetimes, enums,
    booleans, JSON), in a FastResult that answers what callers ask of a result. Cursor
    events fire as for any statement (tests count queries with them), and a driver error
    goes to SQLAlchemy's own handler: the same wrapped exception as the usual path, a
    dropped connection invalidated. What the fast path could not reproduce exactly (an
    expanding IN list, a parameter rendered into the SQL or computed by a callable, a
    connection with execution options or execute events) takes the usual path."""
    session = db.session()
    # The ORM's own autoflush test (Session._autoflush flushes unless _is_clean()).
    if session.autoflush and not session._is_clean():
        session.flush()
    connection = session.connection()
    plans = _plans.get(connection.dialect)
    plan = plans.get(id(statement)) if plans is not None else None
    if plan is None or plan.statement is not statement:
        # Planned on its second run: a statement built per call (never seen twice) costs
        # a dict entry, not a plan.
        _keep(connection.dialect, _ReadPlan(statement))
        return connection.execute(statement, params or {})
    if plan.sql is not None and not _needs_usual_path(connection):
        return plan.run(connection, params or _NO_PARAMS)
    if plan.is_planned or _needs_usual_path(connection):
        return connection.execute(statement, params or {})
    result = connection.execute(statement, params or {})
    _keep(connection.dialect, _ReadPlan.from_result(statement, params or {}, result))
    return result


_NO_PARAMS: dict = {}
# Plans per dialect (each engine has its own; tests build several apps), then per statement
# id. A plan holds its statement, so the id cannot be reused by another while it is kept.
_plans: dict[Any, dict[int, _ReadPlan]] = {}
# Hot reads are module-level statements, a few dozen; beyond this many, statements are
# being built per call, which no cache helps: start again rather than grow.
_MAX_PLANS = 256
_MAX_DIALECTS = 8


def _needs_usual_path(connection: Connection) -> bool:
    """Execution options (which change how a statement compiles or runs), listeners on
    this very connection, or before/after_execute listeners (they take the statement
    object and its parameters, which only the usual path has): cursor events alone
    are fired by the fast path too."""
    if connection._execution_options or connection._has_events:
        return True
    # The engine's dispatch holds its own listeners and those on the Engine class; asking
    # it is cheaper than asking the connection's (joined) one.
    dispatch = connection.engine.dispatch
    return bool(dispatch.before_execute or dispatch.after_execute)


def _keep(dialect, plan: _ReadPlan) -> None:
    plans = _plans.get(dialect)
    if plans is None:
        if len(_plans) >= _MAX_DIALECTS:
            _plans.clear()
        plans = _plans[dialect] = {}
    elif len(plans) >= _MAX_PLANS:
        plans.clear()
    plans[id(plan.statement)] = plan


class _ReadPlan:
    """What SQLAlchemy worked out for one select on one dialect, kept to run it again:
    the SQL, its parameters in the DBAPI's order (positional for sqlite3, named for
    psycopg) with their bind processors and literal values, and the result's metadata
    with its per-column processors. Before its statement is planned (seen once), and for
    a statement the plan cannot reproduce (which always takes the usual path), ``sql``
    is None."""

    __slots__ = ("statement", "is_planned", "sql", "compiled", "extracted", "binds", "names", "sequence", "metadata",
                 "processors", "key_to_index", "frozen_metadata")

    def __init__(self, statement, is_planned: bool = False) -> None:
        self.statement = statement
        self.is_planned = is_planned
        self.sql: str | None = None

    @classmethod
    def from_result(cls, statement, params: dict, result) -> _ReadPlan:
        """The plan of ``statement`` from SQLAlchemy's ``result`` of running it with
        ``params`` (a plan with no SQL if the fast path could not reproduce it)."""
        plan = cls(statement, is_planned=True)
        context = getattr(result, "context", None)
        compiled = getattr(context, "compiled", None)
        metadata = getattr(result, "_metadata", None)
        if (
            compiled is None
            or not getattr(statement, "is_select", False)
            or statement._execution_options
            or context.executemany
            or compiled.literal_execute_params
            or compiled.post_compile_params
            or context.statement != compiled.string  # rewritten at execution (schema translation)
            or not isinstance(metadata, CursorResultMetaData)
            or metadata._tuplefilter is not None
            or len(metadata._processors) != len(metadata._keys)
        ):
            return plan
        dialect = context.dialect
        processors = compiled._bind_processors
        # The values SQLAlchemy would bind when the caller passes none: the statement's own
        # literals (from its cache key, as Connection.execute resolves them).
        defaults = compiled.construct_params(
            extracted_parameters=context.extracted_parameters, escape_names=False, _check=False
        )
        if compiled.positional:
            names = list(compiled.positiontup or ())
        else:
            names = list(dict.fromkeys(compiled.bind_names.values()))
        binds = []
        for name in names:
            bind = compiled.binds[name]
            processor = processors.get(name)
            if bind.callable is not None or bind.expanding or isinstance(processor, tuple):
                return plan
            default = defaults.get(name)
            if not bind.required and processor is not None:
                default = processor(default)
            binds.append((bind.key, name, bind.required, default, processor))
        plan.compiled = compiled
        plan.extracted = context.extracted_parameters
        plan.binds = tuple(binds)
        plan.names = None if compiled.positional else tuple(
            compiled.escaped_bind_names.get(name, name) for name in names)
        plan.sequence = dialect.execute_sequence_format
        plan.metadata = metadata
        plan.processors = metadata._processors if any(metadata._processors) else None
        plan.key_to_index = metadata._key_to_index
        plan.frozen_metadata = None
        # The plan must bind exactly what SQLAlchemy bound for this very call.
        if plan._parameters(params) != context.parameters[0]:
            return cls(statement, is_planned=True)
        plan.sql = compiled.string
        return plan

    def _parameters(self, params: dict):
        values = []
        for key, name, required, default, processor in self.binds:
            if key in params:
                value = params[key]
            elif name in params:
                value = params[name]
            elif required:
                return None
            else:
                values.append(default)  # processed once, in from_result
                continue
            values.append(processor(value) if processor is not None else value)
        if self.names is None:
            return self.sequence(values)
        return dict(zip(self.names, values, strict=True))

    def run(self, connection: Connection, params: dict) -> FastResult | CursorResult:
        parameters = self._parameters(params)
        if parameters is None:  # a required parameter is missing: SQLAlchemy says which
            return connection.execute(self.statement, params)
        # Errors go to SQLAlchemy's handler with what the usual path passes it at the same
        # point: the same wrapped exception (a dropped connection is an OperationalError,
        # which the app answers with a 503), the connection invalidated on a disconnect,
        # handle_error events. Not a retry on the usual path: on PostgreSQL the failed
        # statement has aborted the transaction, so a retry could only report that, and on
        # SQLite a locked database would be waited for twice.
        sql = self.sql
        try:
            cursor = connection.connection.cursor()
        except BaseException as error:
            connection._handle_dbapi_exception(error, sql, parameters, None, None)
        dispatch = connection.engine.dispatch
        if (dispatch.before_cursor_execute or dispatch.after_cursor_execute or connection._echo
                or connection.dialect._has_events):
            # SQLAlchemy's own cursor execution (as for column defaults and sequences): the
            # cursor events and the echo log, with an execution context as listeners expect
            # (Flask-SQLAlchemy's query recording keeps its timing on it).
            context = self._context(connection, cursor, params, parameters)
            connection._cursor_execute(cursor, sql, parameters, context)
        else:
            context = None
            try:
                connection.dialect.do_execute(cursor, sql, parameters)
            except BaseException as error:
                context = self._context(connection, cursor, params, parameters)
                connection._handle_dbapi_exception(error, sql, parameters, cursor, context)
        try:
            raw = cursor.fetchall()
        except BaseException as error:
            if context is None:
                context = self._context(connection, cursor, params, parameters)
            connection._handle_dbapi_exception(error, None, None, cursor, context)
        cursor.close()
        metadata, processors, key_to_index = self.metadata, self.processors, self.key_to_index
        return FastResult([Row(metadata, processors, key_to_index, data) for data in raw], self)

    def _context(self, connection: Connection, cursor, params: dict, parameters):
        """An execution context for event listeners and the error handler, with what the
        usual path sets on one for a select (built only for them)."""
        dialect = connection.dialect
        context = dialect.execution_ctx_cls.__new__(dialect.execution_ctx_cls)
        context.root_connection = connection
        context._dbapi_connection = connection.connection
        context.dialect = dialect
        context.compiled = self.compiled
        context.invoked_statement = self.statement
        context.extracted_parameters = self.extracted
        context.execution_options = connection._execution_options
        context.cursor = cursor
        context.statement = context.unicode_statement = self.sql
        context.compiled_parameters = [self.compiled.construct_params(
            params, extracted_parameters=self.extracted, escape_names=False)]
        context.parameters = [parameters]
        return context

    def iterator_result(self, rows: list[Row]) -> IteratorResult:
        """A full SQLAlchemy Result over rows already processed (as FrozenResult makes)."""
        if self.frozen_metadata is None:
            self.frozen_metadata = self.metadata._for_freeze()
        return IteratorResult(self.frozen_metadata, iter([tuple(row) for row in rows]))


class FastResult:
    """The rows of a fast read, with the methods of SQLAlchemy's Result that callers use.

    Like a Result, it hands its rows out once (a second ``all()`` gives []).
    ``scalars()`` and ``mappings()`` return SQLAlchemy's own ScalarResult and
    MappingResult over the rows."""

    __slots__ = ("_rows", "_plan")

    def __init__(self, rows: list[Row], plan: _ReadPlan) -> None:
        self._rows = rows
        self._plan = plan

    def _take(self) -> list[Row]:
        rows, self._rows = self._rows, []
        return rows

    def __iter__(self):
        return iter(self._take())

    def keys(self):
        return self._plan.metadata.keys

    def all(self) -> list[Row]:
        return self._take()

    fetchall = all

    def first(self) -> Row | None:
        rows = self._take()
        return rows[0] if rows else None

    def one_or_none(self) -> Row | None:
        rows = self._take()
        if len(rows) > 1:
            raise exc.MultipleResultsFound("Multiple rows were found when one or none was required")
        return rows[0] if rows else None

    def one(self) -> Row:
        row = self.one_or_none()
        if row is None:
            raise exc.NoResultFound("No row was found when one was required")
        return row

    def scalar(self) -> Any:
        rows = self._take()
        return rows[0][0] if rows else None

    def scalar_one_or_none(self) -> Any:
        row = self.one_or_none()
        return row[0] if row is not None else None

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalars(self, index: int | str = 0):
        return self._plan.iterator_result(self._take()).scalars(index)

    def mappings(self):
        return self._plan.iterator_result(self._take()).mappings()
