"""The victims registry of a crisis (issue 16 part 3, SINUS / SI-VIC practice): one victim per bracelet number,
triage category with its history, identity possibly unknown, location, evacuation, destination, status from the
site to admission, a link to a regulation file's patient, duplicate-person candidates, SI-VIC and information-cell
exports. Every creation and change is written in the crisis log and audited; reads are audited too."""
