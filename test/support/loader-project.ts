/**
 * A small project with a computed import bounded by its callers: `load_package(package_name)` imports the module its
 * caller names, and two modules call it with (constant) plugin names, each imported by one test file.
 */
export const LOADER_PROJECT: Readonly<Record<string, string>> = {
  'app/__init__.py': '',
  'app/plugins/__init__.py': '',
  'app/plugins/csv.py': 'C = 1\n',
  'app/plugins/xml.py': 'X = 1\n',
  'app/loader.py':
    'import importlib\ndef load_package(package_name):\n    return importlib.import_module(package_name)\n',
  'app/uses_csv.py': 'from app.loader import load_package\nCSV = load_package("app.plugins.csv")\n',
  'app/uses_xml.py': 'from app.loader import load_package\nXML = load_package("app.plugins." + "xml")\n',
  'tests/test_csv.py': 'import app.uses_csv\n',
  'tests/test_xml.py': 'import app.uses_xml\n',
};
