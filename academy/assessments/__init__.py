"""Quizzes, question types and attempts (module quizzes and the course's final exam).

Importing this package registers its hooks with the courses package: the quiz loader
(``courses.package.PACKAGE_EXTENSIONS``), the import writer (``IMPORT_HOOKS``) and the
completion rules (``MODULE_REQUIREMENTS``, ``COURSE_REQUIREMENTS``, ``BEFORE_COMPLETION``).
"""
