"""Business flows over Hub Santé: what a SAMU sends from its own state, and what it applies of what it receives.

| module | sends | receives |
|---|---|---|
| `case_share` | RS-EDA (`share_file`), RS-EDA-MAJ (after each change of a shared file: `send_changes`; `send_updates`; `take_charge`, `change_owner`) | |
| `case_receive` | | RS-EDA → a local file with the shared id; RS-EDA-MAJ → applied to it (or starts it) |
| `mutual_aid` | RS-DR (`request_resources`), RS-RR (`answer_request`) | RS-DR → pending request; RS-RR → answer |
| `resources_share` | RS-RI (`share_resources`), RS-SR (`share_status`) from our missions | the partner's resources/statuses |
| `engagement` | RS-ER (`request_engagement`) to the SMUR software the file is shared with | (`smur_role`) |
| `positions` | GEO-POS (`share_position`) | GEO-POS → a partner resource's last position |
| `emsi` | EMSI (`send_emsi`) to the fire service | EMSI → a note on the linked file, its resources kept |
| `smur_reports` | RS-BPV, RS-RPIS, RS-URL from the crew's reports (our SMUR client) | |
| `smur_received` | | RS-BPV, RS-RPIS, RS-URL → the SMUR's bilan, RPIS, links kept on the file |
| `smur_role` | RS-RI, RS-SR as the SAMU's SMUR software | the LRM's file, its engagement requests, to our SMUR |

`handlers` sends after the platform's events (`FileChanged`, `MissionEngaged`, `MissionStatusChanged`, `UnitMoved`,
`SmurReportRecorded`); `receivers` registers the receiving side on a Hub identity's Inbox; `worker` runs both for a
SAMU's identities; `api` and `cli` are the entry points. Other features are reached through their services and
public queries only (`lint-imports` keeps their stores and tables private).
"""
